#!/usr/bin/env python3
"""Session differential: the real sendmail 8.17 daemon versus `cfkit session`.

For each testcases/sessions/diff/CONF.mc and each script CONF/*.session, the
script is played against `sendmail -bD` inside a private UTS, network and
mount namespace (unshare -u -n -m): host name mail.example.com, the client's
address on `lo`, /etc/hosts, /etc/resolv.conf and /etc/nsswitch.conf
bind-mounted, and a small DNS server on 127.0.0.1:53 answering from the
script's `dns` records (a name without records is NXDOMAIN, `TEMP` is
SERVFAIL). Every reply line is compared with `cfkit session --replies` on
the same .cf. Masks: the date in the greeting and the queue id in
"Message accepted for delivery". Needs root.

Layout: CONF.mc may use @DIR@ for the work directory; CONF.access is makemap
input for @DIR@/access.db; CONF.aliases becomes @DIR@/aliases(.db).

Usage: tools/sessiondiff.py [--cfkit build/cfkit] [--show] [DIR]
"""

import argparse
import difflib
import os
import pathlib
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
HOST = "mail.example.com"


# ---- the script's dns records and a DNS server answering from them ----------

def parse_records(script):
    a, mx, ptr, temp = {}, {}, {}, set()
    client = None
    for line in script.read_text().splitlines():
        w = line.split()
        if not w or w[0].startswith("#"):
            continue
        if w[0] == "connect":
            client = w[1]
            for kv in w[2:]:
                if kv.startswith("name="):
                    name = kv[5:].lower().rstrip(".")
                    ptr.setdefault(w[1], []).append(name)
                    a.setdefault(name, []).append(w[1])
        elif w[0] == "dns":
            name, typ = w[1].lower().rstrip("."), w[2].upper()
            if typ == "A":
                a.setdefault(name, []).append(w[3])
            elif typ == "MX":
                mx.setdefault(name, []).append((int(w[3]), w[4].lower().rstrip(".")))
            elif typ == "PTR":
                ptr.setdefault(w[1], []).append(w[3].lower().rstrip("."))
            elif typ == "TEMP":
                temp.add(name)
    return client, a, mx, ptr, temp


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def dns_answer(query, records):
    a, mx, ptr, temp = records
    qid, _flags, qd = struct.unpack(">HHH", query[:6])
    pos, labels = 12, []
    while query[pos]:
        n = query[pos]
        labels.append(query[pos + 1:pos + 1 + n].decode("latin-1"))
        pos += n + 1
    qtype, _qclass = struct.unpack(">HH", query[pos + 1:pos + 5])
    question = query[12:pos + 5]
    name = ".".join(labels).lower()
    answers = []
    rcode = 0
    lookup = name
    if name.endswith(".in-addr.arpa"):
        parts = name[:-len(".in-addr.arpa")].split(".")
        lookup = ".".join(reversed(parts))
    if lookup in temp:
        rcode = 2
    elif name.endswith(".in-addr.arpa"):
        if lookup in ptr:
            if qtype in (12, 255):
                answers = [(12, encode_name(n)) for n in ptr[lookup]]
        else:
            rcode = 3
    elif name in a or name in mx:
        if qtype in (1, 255):
            answers += [(1, socket.inet_aton(ip)) for ip in a.get(name, [])]
        if qtype in (15, 255):
            answers += [(15, struct.pack(">H", p) + encode_name(h)) for p, h in mx.get(name, [])]
    else:
        rcode = 3
    head = struct.pack(">HHHHHH", qid, 0x8180 | rcode, 1, len(answers), 0, 0)
    body = question
    for typ, rdata in answers:
        body += b"\xc0\x0c" + struct.pack(">HHIH", typ, 1, 60, len(rdata)) + rdata
    return head + body


def serve_dns(records, ready):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 53))
    ready.set()
    while True:
        data, peer = s.recvfrom(4096)
        try:
            s.sendto(dns_answer(data, records), peer)
        except Exception:  # a query we cannot parse gets no answer
            pass


# ---- playing a script --------------------------------------------------------

def script_commands(script):
    """(line to send, message lines or None) for each SMTP step."""
    lines = script.read_text().splitlines()
    out, i = [], 0
    while i < len(lines):
        w = lines[i].split(None, 1)
        i += 1
        if not w or w[0].startswith("#") or w[0] in ("connect", "dns", "expect"):
            continue
        cmd, arg = w[0].lower(), (w[1] if len(w) > 1 else "")
        if cmd == "data":
            body = []
            while lines[i] != ".":
                body.append(lines[i])
                i += 1
            i += 1
            out.append(("DATA", body))
        elif cmd == "mail":
            out.append(("MAIL FROM:" + arg, None))
        elif cmd == "rcpt":
            out.append(("RCPT TO:" + arg, None))
        elif cmd == "send":
            out.append((arg, None))
        else:
            out.append((cmd.upper() + (" " + arg if arg else ""), None))
    return out


def read_reply(f):
    lines = []
    while True:
        line = f.readline()
        if not line:
            return lines, True
        line = line.decode("latin-1").rstrip("\r\n")
        lines.append(line)
        if len(line) < 4 or line[3] != "-":
            return lines, False


def inner(args):
    """Runs inside the namespaces: one script against the daemon."""
    work = pathlib.Path(args.work)
    script = pathlib.Path(args.script)
    client, a, mx, ptr, temp = parse_records(script)
    subprocess.run(["hostname", HOST], check=True)
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    subprocess.run(["ip", "addr", "add", client + "/32", "dev", "lo"], check=True)
    etc = work / "etc"
    etc.mkdir(exist_ok=True)
    (etc / "hosts").write_text("127.0.0.1\t%s localhost\n" % HOST)
    (etc / "resolv.conf").write_text("nameserver 127.0.0.1\noptions attempts:1 timeout:2\n")
    (etc / "nsswitch.conf").write_text("hosts: files dns\npasswd: files\ngroup: files\n")
    for f in ("hosts", "resolv.conf", "nsswitch.conf"):
        subprocess.run(["mount", "--bind", str(etc / f), "/etc/" + f], check=True)
    ready = threading.Event()
    threading.Thread(target=serve_dns, args=((a, mx, ptr, temp), ready), daemon=True).start()
    ready.wait()
    q = work / "q"
    if q.exists():
        shutil.rmtree(q)
    q.mkdir(mode=0o700)
    sm = pathlib.Path(args.oracle) / "root/usr/libexec/sendmail/sendmail"
    argv = [str(sm), "-bD", "-C", str(work / args.cf), "-OServiceSwitchFile=" + str(work / "ss"),
            "-ODaemonPortOptions=Addr=127.0.0.1,Port=25,Name=MTA", "-OQueueDirectory=" + str(q),
            "-OPidFile=" + str(work / "sm.pid"), "-odq"]
    daemon = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.time() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", 25), timeout=1).close()
                break
            except OSError:
                if daemon.poll() is not None or time.time() > deadline:
                    err = daemon.stderr.read().decode("latin-1")
                    print("sessiondiff: sendmail did not start: " + err, file=sys.stderr)
                    return 2
                time.sleep(0.1)
        # the probe connection above is a session of its own; start afresh
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(30)
        s.bind((client, 0))
        s.connect(("127.0.0.1", 25))
        f = s.makefile("rb")
        out = []
        lines, closed = read_reply(f)
        out += lines
        for cmd, body in script_commands(script):
            if closed:
                break
            try:
                s.sendall(cmd.encode("latin-1") + b"\r\n")
                lines, closed = read_reply(f)
            except (ConnectionResetError, BrokenPipeError):
                break  # the server had closed the connection
            except socket.timeout:
                print("sessiondiff: no reply to %r within 30 s; so far:\n%s" % (cmd, "\n".join(out)),
                      file=sys.stderr)
                return 2
            out += lines
            if body is not None and lines and lines[-1].startswith("354"):
                data = "".join(("." + l if l.startswith(".") else l) + "\r\n" for l in body) + ".\r\n"
                s.sendall(data.encode("latin-1"))
                lines, closed = read_reply(f)
                out += lines
        s.close()
        sys.stdout.write("".join(l + "\n" for l in out))
        return 0
    finally:
        try:
            os.killpg(daemon.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        daemon.wait()


# ---- the comparison ------------------------------------------------------------

def mask(text):
    text = re.sub(r"^(220 .*?); .*$", r"\1; DATE", text, flags=re.M)
    return re.sub(r"^250 2\.0\.0 \S+ Message accepted", "250 2.0.0 QUEUEID Message accepted", text, flags=re.M)


def prepare(mc, oracle, work):
    cfdir = oracle / "root/usr/share/sendmail/cf"
    text = mc.read_text().replace("@DIR@", str(work))
    (work / mc.name).write_text(text)
    cf = subprocess.run(["m4", "-D_CF_DIR_=%s/" % cfdir, str(cfdir / "m4/cf.m4"), str(work / mc.name)],
                        check=True, capture_output=True).stdout
    (work / (mc.stem + ".cf")).write_bytes(cf)
    (work / "ss").write_text("hosts files dns\naliases files\n")
    makemap = oracle / "root/usr/libexec/sendmail/makemap"
    (work / "min.cf").write_text("V10\n")
    acc = mc.with_suffix(".access")
    if acc.exists():
        with open(acc, "rb") as f:
            subprocess.run([str(makemap), "-C", str(work / "min.cf"), "hash", str(work / "access")],
                           stdin=f, check=True)
    aliases = mc.with_suffix(".aliases")
    (work / "aliases").write_text(aliases.read_text() if aliases.exists() else "postmaster: root\n")
    # as newaliases builds it: "name: value" lines, keys with a NUL, and the
    # "@" entry sendmail waits for (AliasWait) before it trusts the database
    pairs = [l.split(":", 1) for l in (work / "aliases").read_text().splitlines() if ":" in l]
    text = "".join("%s\t%s\n" % (k.strip().lower(), v.strip()) for k, v in pairs) + "@\t@\n"
    subprocess.run([str(makemap), "-C", str(work / "min.cf"), "-N", "hash", str(work / "aliases")],
                   input=text.encode(), check=True)
    return mc.stem + ".cf"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cfkit", default=str(ROOT / "build/cfkit"))
    ap.add_argument("--show", action="store_true", help="print both transcripts")
    ap.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--work", help=argparse.SUPPRESS)
    ap.add_argument("--cf", help=argparse.SUPPRESS)
    ap.add_argument("--script", help=argparse.SUPPRESS)
    ap.add_argument("--oracle", help=argparse.SUPPRESS)
    ap.add_argument("dir", nargs="?", default=str(ROOT / "testcases/sessions/diff"))
    args = ap.parse_args()
    if args.inner:
        return inner(args)
    if os.geteuid() != 0:
        print("sessiondiff: needs root (network and mount namespaces for the real daemon)", file=sys.stderr)
        return 2
    oracle = pathlib.Path(subprocess.run([str(ROOT / "tools/oracle/fetch-sendmail.sh")], check=True,
                                         capture_output=True, text=True).stdout.strip())
    cache = pathlib.Path(os.environ.get("HOME", "/root")) / ".cache/cfkit"
    cache.mkdir(parents=True, exist_ok=True)
    base = pathlib.Path(tempfile.mkdtemp(prefix="sessiondiff-", dir=str(cache)))
    os.chmod(base, 0o755)
    same = differ = 0
    try:
        for mc in sorted(pathlib.Path(args.dir).glob("*.mc")):
            work = base / mc.stem
            work.mkdir(mode=0o755)
            cf = prepare(mc, oracle, work)
            for script in sorted((mc.parent / mc.stem).glob("*.session")):
                sm = subprocess.run(["unshare", "-u", "-n", "-m", sys.executable, __file__, "--inner",
                                     "--work", str(work), "--cf", cf, "--script", str(script.resolve()),
                                     "--oracle", str(oracle)], capture_output=True, text=True, timeout=120)
                ck = subprocess.run([args.cfkit, "session", str(work / cf), str(script), "--replies",
                                     "--hostname", HOST, "--no-interfaces"],
                                    capture_output=True, text=True, timeout=60)
                name = "%s/%s" % (mc.stem, script.name)
                if sm.returncode != 0:
                    print("FAIL %s: the daemon run failed: %s" % (name, sm.stderr.strip()))
                    differ += 1
                    continue
                want, got = mask(sm.stdout), mask(ck.stdout)
                if args.show:
                    print("== %s sendmail\n%s== cfkit\n%s" % (name, want, got))
                if want == got and ck.returncode == 0:
                    same += 1
                    print("ok   %s (%d lines)" % (name, want.count("\n")))
                else:
                    differ += 1
                    print("FAIL %s" % name)
                    sys.stdout.writelines(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                                               "sendmail", "cfkit"))
                    if ck.stderr:
                        print(ck.stderr)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print("%d identical, %d different" % (same, differ))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
