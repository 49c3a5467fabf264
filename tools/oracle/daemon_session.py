#!/usr/bin/env python3
"""Play a session script against the real sendmail 8.17 daemon.

    tools/oracle/daemon_session.py CONFIG.cf SCRIPT [--oracle DIR]

Prints every line the server sends (the greeting included), CR LF stripped,
one a line and nothing else on standard output; the same format as
`cfkit session CONFIG SCRIPT --replies`. Errors go to standard error with
exit status 2; a script the daemon cannot be given (macro, class, map lines,
auth lines without account lines, starttls verify=/subject=/issuer=) is not
run: "skipped (REASON)" on standard error, exit status 3.

How (as root): the script re-runs itself under `unshare -u -n -m`. Inside the
new namespaces the host name is mail.example.com, `lo` is up with the
client's address on it (IPv4 or IPv6), /etc/hosts, /etc/resolv.conf and
/etc/nsswitch.conf are bind-mounted from generated files, and a DNS server
on 127.0.0.1:53 (UDP and TCP; messages by Debian's python3-dnslib) answers
from the script's `dns` records and `connect ... name=`: A, AAAA, MX, PTR
(in-addr.arpa and ip6.arpa) and TXT; other types of an existing name are
NOERROR without answers; a name without records is NXDOMAIN; `dns NAME
TEMP` is SERVFAIL. Then `sendmail -bD -odq` listens on 127.0.0.1:25 (and,
for an IPv6 client, on [::1]:25: the .cf's Family=inet6 DaemonPortOptions,
else Name=MTA-v6) in its own process group (killed when the session ends);
the client binds to the script's address, waits for each complete reply
before it sends the next command, and closes the connection after the last
step (no QUIT unless the script says so).

The script format is cfkit's (engine/smtp/session_script.hpp): connect
(IPv4 or IPv6), dns, helo, ehlo, mail, rcpt, data ... ".", rset, noop,
vrfy, expn, etrn, help, quit, send RAW, and `expect` lines, which are
ignored here; and:

  early COMMAND        right after connect (once): sent before the greeting
                       is read; then the greeting and the reply to it are
                       read (greet_pause).
  account USER PASS    a SASL account (anywhere): the harness writes a Cyrus
                       sasldb (saslpasswd2 -f WORK/sasldb2 -u mail.example.com,
                       sendmail's AuthRealm default $j) and a Sendmail.conf
                       (auxprop/sasldb, mech_list PLAIN LOGIN CRAM-MD5
                       DIGEST-MD5) in a copy of the SASL plugin directory
                       mounted over the original (Debian's libsasl2 reads
                       /etc/sasl2, /etc/sasl, then that directory).
  auth USER PLAIN PASS AUTH PLAIN base64(NUL USER NUL PASS): one reply.
  auth USER LOGIN PASS AUTH LOGIN, then base64(USER) and base64(PASS) after
                       each 334 (stops at the first reply that is not 334).
  auth USER MECH       any other mechanism, or no password: AUTH MECH alone.
                       A script with auth lines but no account lines is
                       cfkit's (AUTH that always succeeds): skipped.
  starttls [cert=FILE [key=FILE]]
                       STARTTLS; after a 220 a TLS handshake (Python's ssl,
                       no server verification, the client certificate if
                       given; key= defaults to FILE with .pem -> .key;
                       relative paths from the script's directory). Nothing
                       is printed for the handshake unless it fails: then
                       "TLS handshake failed" and the session ends. All
                       later commands go over TLS.
"""

import argparse
import base64
import os
import pathlib
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time

import workdir  # the harnesses' work directories

try:
    import dnslib  # Debian's python3-dnslib (tools/setup.sh)
except ImportError:  # a python3 of its own (pyenv, venv) does not see Debian's packages
    sys.path.append("/usr/lib/python3/dist-packages")
    try:
        import dnslib
    except ImportError:
        dnslib = None

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
HOST = "mail.example.com"
REPLY_TIMEOUT = 20.0     # seconds for one complete reply
START_TIMEOUT = 20.0     # seconds for the daemon to listen


class ScriptError(Exception):
    pass


def dns_key(name):
    return name.lower().rstrip(".")


def is_address(family, s):
    try:
        socket.inet_pton(family, s)
        return True
    except OSError:
        return False


def is_ipv4(s):
    return is_address(socket.AF_INET, s)


def is_ipv6(s):
    return is_address(socket.AF_INET6, s)


class Script:
    """A parsed session script: the client, the DNS records, the SMTP steps."""

    def __init__(self):
        self.client = None
        self.port = 0
        # Owner names are keys in lower case without the trailing dot; the
        # names in PTR and MX data keep their case, as a real server's would.
        self.a = {}      # name -> [IPv4]
        self.aaaa = {}   # name -> [IPv6]
        self.mx = {}     # name -> [(pref, host)]
        self.ptr = {}    # IPv4 or IPv6 (inet_ntop form) -> [name]
        self.txt = {}    # name -> [text]: the words after TXT, joined by one space
        self.temp = set()  # names and IPv4 addresses that answer SERVFAIL
        self.accounts = {}  # SASL user -> password (`account` lines)
        # ("cmd", line, message lines or None), ("early", line),
        # ("auth", user, MECH, password or None), ("starttls", cert or None, key or None)
        self.steps = []
        self.skip = None  # why the daemon cannot be given this script

    def add_dns(self, w, lineno):
        if len(w) < 2:
            raise ScriptError("line %d: dns: expected NAME TYPE [DATA]" % lineno)
        name, typ = dns_key(w[0]), w[1].upper()
        if is_ipv6(w[0]):  # an IPv6 address: its PTR and TEMP records under inet_ntop()'s form
            name = socket.inet_ntop(socket.AF_INET6, socket.inet_pton(socket.AF_INET6, w[0]))
        if typ == "TEMP" and len(w) == 2:
            self.temp.add(name)
        elif typ == "A" and len(w) == 3 and is_ipv4(w[2]):
            self.a.setdefault(name, []).append(w[2])
        elif typ == "AAAA" and len(w) == 3 and is_ipv6(w[2]):
            self.aaaa.setdefault(name, []).append(w[2])
        elif typ == "MX" and len(w) == 4 and w[2].isdigit():
            self.mx.setdefault(name, []).append((int(w[2]), w[3].rstrip(".")))
        elif typ == "PTR" and len(w) == 3 and (is_ipv4(w[0]) or is_ipv6(w[0])):
            self.ptr.setdefault(w[0] if is_ipv4(w[0]) else name, []).append(w[2].rstrip("."))
        elif typ == "TXT" and len(w) >= 3 and len(" ".join(w[2:])) <= 255:
            self.txt.setdefault(name, []).append(" ".join(w[2:]))
        else:
            raise ScriptError("line %d: dns: expected NAME A IP, NAME AAAA IPv6, NAME MX PREF HOST, ADDR PTR NAME, "
                              "NAME TXT TEXT or NAME TEMP" % lineno)


def parse_script(text, base=None):
    """Parses a session script as engine/smtp/session_script.cpp does.

    `base`: the directory that relative `starttls cert=`/`key=` paths are
    resolved against (the script's own directory)."""
    s = Script()
    base = pathlib.Path(base) if base is not None else pathlib.Path.cwd()
    lines = [l[:-1] if l.endswith("\r") else l for l in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    skips = []
    auths = False
    i = 0
    while i < len(lines):
        lineno = i + 1
        line = lines[i]
        i += 1
        w = line.split()
        if not w or w[0].startswith("#"):
            continue
        cmd = w[0].lower()
        parts = line.strip().split(None, 1)
        arg = parts[1] if len(parts) > 1 else ""
        if cmd == "expect":
            continue
        if cmd == "dns":
            s.add_dns(w[1:], lineno)
            continue
        if cmd == "account":
            if len(w) != 3:
                raise ScriptError("line %d: account: expected USER PASSWORD" % lineno)
            s.accounts[w[1]] = w[2]
            continue
        if cmd == "connect":
            if s.client is not None:
                raise ScriptError("line %d: connect: only one connection per script" % lineno)
            if len(w) < 2 or not (is_ipv4(w[1]) or is_ipv6(w[1])):
                raise ScriptError("line %d: connect: expected an IPv4 or IPv6 address" % lineno)
            v6 = is_ipv6(w[1])
            addr = socket.inet_ntop(socket.AF_INET6, socket.inet_pton(socket.AF_INET6, w[1])) if v6 else w[1]
            s.client = addr
            name, resolve = None, None
            for kv in w[2:]:
                key, _, val = kv.partition("=")
                if key == "name" and val:
                    name = val.rstrip(".")
                elif key == "port" and val.isdigit():
                    s.port = int(val)
                elif key == "resolve" and val.upper() in ("OK", "FAIL", "TEMP", "FORGED"):
                    resolve = val.upper()
                else:
                    raise ScriptError("line %d: connect: unknown setting %s (name=NAME, port=N, "
                                      "resolve=OK|FAIL|TEMP|FORGED)" % (lineno, kv))
            # resolve= is shorthand for the DNS records that give it (session_script.cpp)
            if resolve in (None, "OK", "FORGED") and name:
                s.ptr.setdefault(addr, []).append(name)
                if v6:
                    other = "2001:db8::fe" if addr != "2001:db8::fe" else "2001:db8::fd"
                    s.aaaa.setdefault(dns_key(name), []).append(other if resolve == "FORGED" else addr)
                else:
                    other = "192.0.2.254" if addr != "192.0.2.254" else "192.0.2.253"
                    s.a.setdefault(dns_key(name), []).append(other if resolve == "FORGED" else addr)
            elif resolve == "TEMP":
                s.temp.add(addr)
            continue
        if cmd in ("macro", "class", "map"):
            if cmd not in skips:
                skips.append(cmd)
            continue
        if s.client is None:
            if cmd == "auth":  # cfkit-only before connect anyway
                auths = True
                continue
            raise ScriptError("line %d: '%s' before connect" % (lineno, w[0]))
        if cmd == "early":
            if s.steps:  # as cfkit: one early line, the first step
                raise ScriptError("line %d: early: only right after connect (the client talks before the greeting)"
                                  % lineno)
            if not arg:
                raise ScriptError("line %d: early: expected a command line" % lineno)
            s.steps.append(("early", arg))
        elif cmd == "auth":
            auths = True
            if len(w) < 3 or len(w) > 4:
                raise ScriptError("line %d: auth: expected USER MECH [PASSWORD]" % lineno)
            s.steps.append(("auth", w[1], w[2], w[3] if len(w) > 3 else None))  # the mechanism as written
        elif cmd == "starttls":
            cert = key = None
            for kv in w[1:]:
                k, _, v = kv.partition("=")
                if k == "cert" and v:
                    cert = str(base / v)
                elif k == "key" and v:
                    key = str(base / v)
                elif k in ("verify", "subject", "issuer") and v:
                    if "starttls " + k + "=" not in skips:
                        skips.append("starttls " + k + "=")
                else:
                    raise ScriptError("line %d: starttls: unknown setting %s (cert=FILE, key=FILE)" % (lineno, kv))
            if key and not cert:
                raise ScriptError("line %d: starttls: key= without cert=" % lineno)
            if cert and not key:
                key = cert[:-4] + ".key" if cert.endswith(".pem") else cert + ".key"
            s.steps.append(("starttls", cert, key))
        elif cmd in ("helo", "ehlo", "vrfy", "expn", "etrn", "rset", "noop", "quit", "help"):
            s.steps.append(("cmd", cmd.upper() + (" " + arg if arg else ""), None))
        elif cmd == "mail":
            s.steps.append(("cmd", "MAIL FROM:" + arg, None))
        elif cmd == "rcpt":
            s.steps.append(("cmd", "RCPT TO:" + arg, None))
        elif cmd == "send":
            s.steps.append(("cmd", arg, None))
        elif cmd == "data":
            body = []
            while i < len(lines) and lines[i] != ".":
                body.append(lines[i])
                i += 1
            if i >= len(lines):
                raise ScriptError("line %d: data: the message has no end (a line with a single \".\")" % lineno)
            i += 1
            s.steps.append(("cmd", "DATA", body))
        else:
            raise ScriptError("line %d: unknown command '%s'" % (lineno, w[0]))
    if auths and not s.accounts:
        skips.insert(0, "auth without account lines")
    if s.client is None and not skips:
        raise ScriptError("no `connect ADDR` line")
    if skips:
        s.skip = ", ".join(skips)
    return s


# ---- a DNS server answering from the script's records ------------------------
# Messages are parsed and built with dnslib (Debian's python3-dnslib); the
# sockets are ours (UDP, and TCP with several queries a connection).

def dns_answer(query, script):
    """The response to one query (bytes), or None if it is not a plain question."""
    try:
        req = dnslib.DNSRecord.parse(query)
    except Exception:  # dnslib raises DNSError, struct.error, IndexError...
        return None
    if len(req.questions) != 1 or req.header.qr:
        return None
    q = req.q
    labels = [l.decode("latin-1") for l in q.qname.label]
    name = ".".join(labels).lower()
    qtype = q.qtype
    answers, rcode = [], dnslib.RCODE.NOERROR
    rev = None
    if name.endswith(".in-addr.arpa"):
        parts = name[:-len(".in-addr.arpa")].split(".")
        if len(parts) == 4:
            rev = ".".join(reversed(parts))
    elif name.endswith(".ip6.arpa"):
        parts = name[:-len(".ip6.arpa")].split(".")
        if len(parts) == 32 and all(len(p) == 1 and p in "0123456789abcdef" for p in parts):
            rev = socket.inet_ntop(socket.AF_INET6, bytes.fromhex("".join(reversed(parts))))
    if (rev and rev in script.temp) or name in script.temp:
        rcode = dnslib.RCODE.SERVFAIL  # the resolver reports TRY_AGAIN
    elif rev is not None:
        if rev in script.ptr:
            if qtype == dnslib.QTYPE.PTR:
                answers = [dnslib.PTR(label(n)) for n in script.ptr[rev]]
        else:
            rcode = dnslib.RCODE.NXDOMAIN
    elif name in script.a or name in script.aaaa or name in script.mx or name in script.txt:
        if qtype == dnslib.QTYPE.A:
            answers = [dnslib.A(ip) for ip in script.a.get(name, [])]
        elif qtype == dnslib.QTYPE.AAAA:
            # as 16 bytes: dnslib's own parser does not read "::ffff:192.0.2.9"
            answers = [dnslib.AAAA(list(socket.inet_pton(socket.AF_INET6, ip))) for ip in script.aaaa.get(name, [])]
        elif qtype == dnslib.QTYPE.MX:
            answers = [dnslib.MX(label(h), p) for p, h in script.mx.get(name, [])]
        elif qtype == dnslib.QTYPE.TXT:
            answers = [dnslib.TXT(t.encode("latin-1")) for t in script.txt.get(name, [])]
    else:
        rcode = dnslib.RCODE.NXDOMAIN
    # QR, the query's RD, RA; authoritative so nothing is cached as "non-auth"
    reply = dnslib.DNSRecord(dnslib.DNSHeader(id=req.header.id, qr=1, aa=1, rd=req.header.rd, ra=1,
                                              rcode=rcode), q=q)
    for rd in answers:
        reply.add_answer(dnslib.RR(q.qname, qtype, rdata=rd, ttl=60))
    return reply.pack()


def label(name):
    """A DNS name as dnslib wants it, its case kept (no IDNA)."""
    return dnslib.DNSLabel(tuple(l.encode("latin-1") for l in name.rstrip(".").split(".") if l))


def serve_udp(sock, script):
    while True:
        try:
            data, peer = sock.recvfrom(4096)
            reply = dns_answer(data, script)
            if reply is not None:
                sock.sendto(reply, peer)
        except Exception as e:  # keep serving
            print("daemon_session: dns: %s" % e, file=sys.stderr)


def serve_tcp_conn(conn, script):
    try:
        conn.settimeout(10)
        while True:
            head = b""
            while len(head) < 2:
                chunk = conn.recv(2 - len(head))
                if not chunk:
                    return
                head += chunk
            (n,) = struct.unpack(">H", head)
            data = b""
            while len(data) < n:
                chunk = conn.recv(n - len(data))
                if not chunk:
                    return
                data += chunk
            reply = dns_answer(data, script)
            if reply is None:
                return
            conn.sendall(struct.pack(">H", len(reply)) + reply)
    except OSError:
        pass
    finally:
        conn.close()


def serve_tcp(sock, script):
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=serve_tcp_conn, args=(conn, script), daemon=True).start()


def start_dns(script):
    if dnslib is None:
        raise RuntimeError("no python3-dnslib (apt-get install python3-dnslib; tools/setup.sh)")
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 53))
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind(("127.0.0.1", 53))
    t.listen(16)
    threading.Thread(target=serve_udp, args=(u, script), daemon=True).start()
    threading.Thread(target=serve_tcp, args=(t, script), daemon=True).start()


# ---- the namespace, the daemon, the client ----------------------------------

def run(argv, **kw):
    r = subprocess.run(argv, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise RuntimeError("%s failed: %s" % (" ".join(argv), r.stderr.strip()))


def setup_namespace(work, client, more_clients=()):
    """The host name, `lo` with the client's address (and `more_clients`',
    for tools/oracle/maillog_capture.py), the generated /etc files."""
    run(["hostname", HOST])
    run(["ip", "link", "set", "lo", "up"])
    for addr in [client] + [c for c in more_clients if c != client]:
        if is_ipv6(addr):
            if addr != "::1":  # nodad: usable at once
                run(["ip", "-6", "addr", "add", addr + "/128", "dev", "lo", "nodad"])
        elif not addr.startswith("127."):
            run(["ip", "addr", "add", addr + "/32", "dev", "lo"])
    etc = work / "etc"
    etc.mkdir(mode=0o755)
    # 127.0.0.1 is mail.example.com first: sendmail's own name is canonical
    # from /etc/hosts (no DNS needed at start-up), and a client connecting
    # from 127.0.0.1 is named mail.example.com ("files" before "dns").
    (etc / "hosts").write_text("127.0.0.1\t%s localhost\n" % HOST)
    (etc / "resolv.conf").write_text("nameserver 127.0.0.1\noptions attempts:1 timeout:2\n")
    (etc / "nsswitch.conf").write_text("passwd: files\ngroup: files\nshadow: files\n"
                                       "hosts: files dns\nnetworks: files\nservices: files\n"
                                       "protocols: files\n")
    for f in ("hosts", "resolv.conf", "nsswitch.conf"):
        run(["mount", "--bind", str(etc / f), "/etc/" + f])


SASL_PLUGINS = ("/usr/lib/x86_64-linux-gnu/sasl2", "/usr/lib/aarch64-linux-gnu/sasl2", "/usr/lib/sasl2")


def setup_sasl(work, accounts):
    """A Cyrus sasldb with the script's accounts (realm: the host name, which
    is sendmail's default AuthRealm, $j) and a Sendmail.conf naming it.

    Debian's libsasl2 reads SERVICE.conf from /etc/sasl2, /etc/sasl, its
    plugin directory, /usr/lib/sasl2 (sendmail sets no path callback and
    empties its environment, so SASL_CONF_PATH cannot help). The first two
    do not exist and cannot be bind-mounted on; so a copy of the plugin
    directory with Sendmail.conf added is mounted over the plugin directory."""
    plugins = next((pathlib.Path(d) for d in SASL_PLUGINS if pathlib.Path(d, "libsasldb.so.2").exists()
                    or pathlib.Path(d, "libsasldb.so").exists()), None)
    if plugins is None:
        raise RuntimeError("no Cyrus SASL plugins (apt-get install libsasl2-modules libsasl2-modules-db sasl2-bin)")
    db = work / "sasldb2"
    for user, password in accounts.items():
        r = subprocess.run(["saslpasswd2", "-p", "-c", "-f", str(db), "-u", HOST, user],
                           input=password.encode("latin-1"), capture_output=True)
        if r.returncode != 0:
            raise RuntimeError("saslpasswd2 %s: %s" % (user, r.stderr.decode("latin-1").strip()))
    os.chmod(db, 0o600)  # sendmail refuses a group- or world-readable sasldb
    d = work / "sasl2"
    shutil.copytree(plugins, d, symlinks=True)
    os.chmod(d, 0o755)
    (d / "Sendmail.conf").write_text("pwcheck_method: auxprop\nauxprop_plugin: sasldb\n"
                                     "sasldb_path: %s\nmech_list: %s\n" % (db, " ".join(SASL_MECHS)))
    os.chmod(d / "Sendmail.conf", 0o644)
    run(["mount", "--bind", str(d), str(plugins)])


SASL_MECHS = ("PLAIN", "LOGIN", "CRAM-MD5", "DIGEST-MD5")


def listening(port, v6=False):
    """Whether something listens on 127.0.0.1:port (::1:port) (without connecting)."""
    if v6:
        want = ("00000000000000000000000001000000:%04X" % port, "0" * 32 + ":%04X" % port)
    else:
        want = ("0100007F:%04X" % port, "00000000:%04X" % port)
    try:
        with open("/proc/net/tcp6" if v6 else "/proc/net/tcp") as f:
            for line in f.readlines()[1:]:
                w = line.split()
                if len(w) > 3 and w[1] in want and w[3] == "0A":
                    return True
        return False
    except OSError:
        return None


class Closed(Exception):
    pass


class Reader:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def line(self, deadline):
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout()
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(4096)
            except (ConnectionResetError, ssl.SSLError):
                chunk = b""
            if not chunk:
                if self.buf:
                    rest, self.buf = self.buf, b""
                    return rest.decode("latin-1")
                raise Closed()
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return line.decode("latin-1").rstrip("\r")

    def reply(self, out):
        """Reads one reply into `out`; False if the server closed first."""
        deadline = time.monotonic() + REPLY_TIMEOUT
        try:
            while True:
                line = self.line(deadline)
                out.append(line)
                if len(line) < 4 or line[3] != "-":
                    return True
        except Closed:
            return False


class Stop(Exception):
    """The session cannot go on (the server closed, the TLS handshake failed)."""


def play(script, out):
    """The client's side; appends every line the server sends to `out`."""
    v6 = is_ipv6(script.client)
    s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_STREAM)
    conn = s
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((script.client, script.port))
        s.settimeout(REPLY_TIMEOUT)
        s.connect(("::1" if v6 else "127.0.0.1", 25))
        r = Reader(s)
        what = "the greeting"

        def send(line):
            try:
                conn.sendall(line.encode("latin-1") + b"\r\n")
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                raise Stop()

        def reply():
            if not r.reply(out):
                raise Stop()
            return out[-1][:3]

        try:
            steps = list(script.steps)
            early = [st[1] for st in steps if st[0] == "early"]
            steps = steps[len(early):]
            for line in early:  # before the greeting: sent at once
                send(line)
            reply()
            for line in early:
                what = repr(line)
                reply()
            for st in steps:
                if st[0] == "cmd":
                    cmd, body = st[1], st[2]
                    what = repr(cmd)
                    send(cmd)
                    n = len(out)
                    reply()
                    if body is not None and len(out) > n and out[-1].startswith("354"):
                        what = "the message"
                        # the lines as the client sends them (cfkit reads script
                        # lines the same way: a line ".x" arrives as "x")
                        data = "".join(l + "\r\n" for l in body) + "."
                        send(data)
                        reply()
                elif st[0] == "auth":
                    _, user, mech, password = st
                    what = "AUTH " + mech
                    if password is not None and mech.upper() == "PLAIN":
                        token = b"\0" + user.encode("latin-1") + b"\0" + password.encode("latin-1")
                        send("AUTH " + mech + " " + base64.b64encode(token).decode("ascii"))
                        reply()
                    elif password is not None and mech.upper() == "LOGIN":
                        send("AUTH " + mech)
                        for word in (user, password):
                            if reply() != "334":
                                break
                            send(base64.b64encode(word.encode("latin-1")).decode("ascii"))
                        else:
                            reply()
                    else:
                        send("AUTH " + mech)
                        reply()
                elif st[0] == "starttls":
                    _, cert, key = st
                    what = "STARTTLS"
                    send("STARTTLS")
                    if reply() != "220":
                        continue
                    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                    ctx.check_hostname = False
                    ctx.verify_mode = ssl.CERT_NONE
                    if cert:
                        try:
                            ctx.load_cert_chain(cert, key)
                        except (ssl.SSLError, OSError) as e:
                            raise RuntimeError("starttls: cannot load %s and %s: %s" % (cert, key, e))
                    try:
                        conn = ctx.wrap_socket(s, server_hostname=None)
                    except (ssl.SSLError, OSError):
                        out.append("TLS handshake failed")
                        raise Stop()
                    r = Reader(conn)
        except socket.timeout:
            raise RuntimeError("no complete reply to %s within %g s; the server sent so far:\n%s"
                               % (what, REPLY_TIMEOUT, "\n".join(out)))
        except Stop:
            pass
    finally:
        conn.close()
        if conn is not s:
            s.close()


def daemon_v6(cf, v6):
    """The -O options of the IPv6 listener, for an IPv6 client only: the
    .cf's own `O DaemonPortOptions=...Family=inet6...` lines (which must say
    Addr=::1 and port 25; the options on the command line replace the .cf's
    DaemonPortOptions), else Family=inet6,Addr=::1,Port=25,Name=MTA-v6."""
    if not v6:
        return []
    opts = []
    for line in pathlib.Path(cf).read_text(encoding="latin-1").splitlines():
        if line.startswith("O DaemonPortOptions=") and "family=inet6" in line.replace(" ", "").lower():
            opts.append("-O" + line[2:].strip())
    return opts or ["-ODaemonPortOptions=Family=inet6,Addr=::1,Port=25,Name=MTA-v6"]


def daemon_argv(oracle, cf, work, v6):
    """`sendmail -bD -odq` for CF with its queue (WORK/mqueue, made here),
    service switch, pid and status files in WORK; listening on
    127.0.0.1:25, and on [::1]:25 too if v6 (daemon_v6)."""
    q = work / "mqueue"
    q.mkdir(mode=0o700)
    (work / "service.switch").write_text("hosts files dns\naliases files\n")
    sm = pathlib.Path(oracle) / "root/usr/libexec/sendmail/sendmail"
    return [str(sm), "-bD", "-C", str(pathlib.Path(cf).resolve()),
            "-OServiceSwitchFile=" + str(work / "service.switch"),
            "-ODaemonPortOptions=Addr=127.0.0.1,Port=25,Name=MTA"] + daemon_v6(cf, v6) + [
            "-OQueueDirectory=" + str(q),
            "-OPidFile=" + str(work / "sendmail.pid"),
            "-OStatusFile=" + str(work / "sendmail.st"),
            "-odq"]


class Daemon:
    """`sendmail -bD` (argv) in its own process group, its output in
    WORK/daemon.log; the constructor returns once it listens on
    127.0.0.1:25 (::1:25 if v6), stop() kills the group.
    tools/oracle/queuediff.py starts it too, with queue options of its own."""

    def __init__(self, argv, work, v6=False):
        self.log = open(pathlib.Path(work) / "daemon.log", "w+b")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True, cwd=str(work))
        try:
            self.wait_listening(v6)
        except BaseException:
            self.stop()
            raise

    def output(self):
        self.log.seek(0)
        return self.log.read().decode("latin-1").strip()

    def exited(self):
        return self.proc.poll() is not None

    def wait_listening(self, v6):
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("sendmail exited (status %s) before it listened: %s"
                                   % (self.proc.returncode, self.output() or "(no output)"))
            up = listening(25, v6)
            if up is None:  # no /proc/net/tcp: probe (a session of its own)
                try:
                    socket.create_connection(("::1" if v6 else "127.0.0.1", 25), timeout=1).close()
                    up = True
                except OSError:
                    up = False
            if up:
                return
            if time.monotonic() > deadline:
                raise RuntimeError("sendmail did not listen on %s:25 within %g s: %s"
                                   % ("::1" if v6 else "127.0.0.1", START_TIMEOUT, self.output() or "(no output)"))
            time.sleep(0.05)

    def stop(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        self.log.close()


def play_checked(script, daemon):
    """play() against a running Daemon: the server's lines; a failure says
    whether the daemon died."""
    out = []
    try:
        play(script, out)
    except RuntimeError as e:
        if daemon.exited():
            raise RuntimeError("%s\nsendmail exited (status %s): %s"
                               % (e, daemon.proc.returncode, daemon.output() or "(no output)"))
        raise
    return out


def inner(args):
    """Inside the namespaces: the DNS server, the daemon and the session."""
    script = parse_script(pathlib.Path(args.script).read_text(encoding="latin-1"),
                          pathlib.Path(args.script).parent)
    work = pathlib.Path(args.work)
    setup_namespace(work, script.client)
    if script.accounts:
        setup_sasl(work, script.accounts)
    start_dns(script)
    v6 = is_ipv6(script.client)
    argv = daemon_argv(args.oracle, args.cf, work, v6)
    daemon = Daemon(argv, work, v6)
    try:
        out = play_checked(script, daemon)
        sys.stdout.write("".join(l + "\n" for l in out))
        sys.stdout.flush()
        if args.log:
            sys.stderr.write(daemon.output() + "\n")
        return 0
    finally:
        daemon.stop()


def default_oracle():
    r = subprocess.run([str(ROOT / "tools/oracle/fetch-sendmail.sh")], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("tools/oracle/fetch-sendmail.sh failed: " + r.stderr.strip())
    return r.stdout.strip().splitlines()[-1]


def main(argv=None):
    ap = argparse.ArgumentParser(description="Play a session script against the real sendmail daemon; "
                                 "print the server's lines.")
    ap.add_argument("cf", help="the .cf file")
    ap.add_argument("script", help="the session script")
    ap.add_argument("--oracle", help="the unpacked sendmail (default: tools/oracle/fetch-sendmail.sh)")
    ap.add_argument("--log", action="store_true", help="copy the daemon's own output to standard error")
    ap.add_argument("--keep", action="store_true", help="keep the work directory (printed on standard error)")
    ap.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--work", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    try:
        if args.inner:
            return inner(args)
        if os.geteuid() != 0:
            print("daemon_session: needs root (network and mount namespaces for the real daemon)",
                  file=sys.stderr)
            return 2
        try:
            script = parse_script(pathlib.Path(args.script).read_text(encoding="latin-1"))
        except (OSError, ScriptError) as e:
            print("daemon_session: %s: %s" % (args.script, e), file=sys.stderr)
            return 2
        if script.skip:
            print("daemon_session: skipped (%s)" % script.skip, file=sys.stderr)
            return 3
        if not pathlib.Path(args.cf).is_file():
            print("daemon_session: %s: no such file" % args.cf, file=sys.stderr)
            return 2
        oracle = args.oracle or default_oracle()
        work = str(workdir.make("daemon-"))  # not under /tmp: see workdir.py
        try:
            cmd = ["unshare", "-u", "-n", "-m", sys.executable, str(pathlib.Path(__file__).resolve()),
                   "--inner", "--work", work, "--oracle", str(oracle),
                   str(pathlib.Path(args.cf).resolve()), str(pathlib.Path(args.script).resolve())]
            if args.log:
                cmd.append("--log")
            r = subprocess.run(cmd, timeout=300)
            return r.returncode
        finally:
            if args.keep:
                print("daemon_session: work directory %s" % work, file=sys.stderr)
            else:
                shutil.rmtree(work, ignore_errors=True)
    except (RuntimeError, OSError, ScriptError, subprocess.TimeoutExpired) as e:
        print("daemon_session: %s" % e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
