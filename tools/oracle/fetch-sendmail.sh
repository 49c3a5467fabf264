#!/bin/sh
# Fetches the oracle, real sendmail 8.17 from Debian's packages, without
# installing a daemon: the .debs are unpacked into a cache directory.
# Prints the cache directory. Idempotent.
#   CFKIT_ORACLE_DIR  where to put it (default: $HOME/.cache/cfkit/oracle;
#                     must not be world-writable, or sendmail warns about it)
set -eu
dir=${CFKIT_ORACLE_DIR:-$HOME/.cache/cfkit/oracle}
sm=$dir/root/usr/libexec/sendmail/sendmail
if [ ! -x "$sm" ]; then
    mkdir -p "$dir"
    chmod 755 "$dir"
    cd "$dir"
    if ! ls sendmail-bin_*.deb >/dev/null 2>&1; then
        SUDO=""
        [ "$(id -u)" -eq 0 ] || SUDO=sudo
        # package lists may be missing on a fresh machine: update once and retry
        apt-get download sendmail-bin sendmail-cf sendmail-base >&2 ||
            { $SUDO apt-get update -qq >&2 && apt-get download sendmail-bin sendmail-cf sendmail-base >&2; }
    fi
    for f in sendmail-bin_*.deb sendmail-cf_*.deb sendmail-base_*.deb; do
        dpkg-deb -x "$f" root
    done
fi
printf 'hosts files\naliases files\n' > "$dir/ss"
[ -x "$sm" ] || { echo "fetch-sendmail: $sm missing after unpacking" >&2; exit 1; }
echo "$dir"
