#!/bin/sh
# Installs what cfkit needs to build and test on Debian (bookworm or later):
# the compiler and CMake, the libraries (PEGTL, nlohmann_json, doctest,
# CLI11), and what the differential tests need to run the real sendmail
# (m4, libwrap0, unshare, python3, python3-dnslib for the fake DNS,
# sasl2-bin and openssl for the AUTH and STARTTLS sessions), emscripten for
# the browser playground and chromium to test it. Uses sudo when not root.
set -eu
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
PKGS="build-essential cmake tao-pegtl-dev nlohmann-json3-dev doctest-dev libcli11-dev libdb5.3-dev m4 libwrap0 python3 python3-jsonschema util-linux iproute2 time python3-dnslib sasl2-bin libsasl2-modules libsasl2-dev libssl-dev openssl zlib1g-dev libmimalloc-dev emscripten chromium"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi
