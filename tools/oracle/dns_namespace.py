#!/usr/bin/env python3
"""Run one command where the DNS answers from a records file.

    tools/oracle/dns_namespace.py RECORDS -- COMMAND [ARG...]

As root, re-runs itself under `unshare -u -n -m`: the host name is
mail.example.com, `lo` is up (the only interface), /etc/resolv.conf is
bind-mounted to `nameserver 127.0.0.1`, and tools/oracle/daemon_session.py's DNS
server answers on 127.0.0.1:53 from RECORDS (the format of `cfkit bt
--dns-records`: one `NAME TYPE DATA` record a line, `#` comments). Then
COMMAND runs with this program's stdin, stdout and stderr, and its exit
status is this program's. tools/oracle/difftest.py uses it for cases with a
NAME.dns file, for sendmail and for cfkit alike, so both see the same
interfaces and host name.
"""

import os
import pathlib
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import daemon_session  # noqa: E402  (the records parser and the DNS server)


def load_records(path):
    script = daemon_session.Script()
    for lineno, line in enumerate(pathlib.Path(path).read_text().splitlines(), 1):
        w = line.split()
        if not w or w[0].startswith("#"):
            continue
        script.add_dns(w, lineno)
    return script


def inner(records, argv):
    script = load_records(records)
    daemon_session.run(["hostname", daemon_session.HOST])
    daemon_session.run(["ip", "link", "set", "lo", "up"])
    with tempfile.TemporaryDirectory(prefix="cfkit-dns-") as work:
        conf = pathlib.Path(work) / "resolv.conf"
        conf.write_text("nameserver 127.0.0.1\noptions attempts:1 timeout:2\n")
        os.chmod(work, 0o755)
        daemon_session.run(["mount", "--bind", str(conf), "/etc/resolv.conf"])
        daemon_session.start_dns(script)
        return subprocess.run(argv).returncode


def main():
    args = sys.argv[1:]
    if len(args) < 3 or args[1] != "--":
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    if os.environ.get("CFKIT_DNS_NS") == "1":
        try:
            return inner(args[0], args[2:])
        except (RuntimeError, OSError, daemon_session.ScriptError) as e:
            print("dns_namespace: %s" % e, file=sys.stderr)
            return 2
    env = dict(os.environ, CFKIT_DNS_NS="1")
    cmd = ["unshare", "-u", "-n", "-m", sys.executable, str(pathlib.Path(__file__).resolve())] + args
    return subprocess.run(cmd, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
