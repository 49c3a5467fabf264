#!/usr/bin/env python3
"""Capture what the real sendmail 8.17 daemon writes to syslog for session scripts.

    tools/oracle/maillog_capture.py CONFIG SCRIPT... [--log OUT.log] [--loglevel N]
                  [--delivery queue|background|interactive] [--skip] [--replies DIR]
                  [--oracle DIR] [--keep]

Plays every SCRIPT, one after the other, against ONE `sendmail -bD` (one
start-up) and writes what the daemon sent to syslog as a classic syslog
file (rsyslog's traditional format, with the short host name as rsyslog
inserts it), to OUT.log or standard output:

    Dec  7 20:38:39 mail sendmail[38]: 6B7KcdDs000038: from=<alice@good.example>, size=60, ...

CONFIG is a .cf, or a .mc built as tools/oracle/sessiondiff.py builds its
configs (prepare(): `@DIR@` and `@CERTS@`, CONF.access, CONF.aliases and
CONF.NAME files beside it; relative `starttls cert=` paths then name the
run's certificates, WORK/certs). --loglevel N runs the daemon with
-OLogLevel=N, --delivery with -odq, -odb or -odi; without them the .cf's
own LogLevel and DeliveryMode apply (a .cf from sendmail-cf's m4 says
LogLevel=9 and DeliveryMode=background, Debian's defaults). In queue mode
the daemon logs no to= lines for a message received by SMTP; in background
mode a process of its own (another pid) delivers at once and logs them.
--replies DIR writes what the server answered to each script into
DIR/NAME.replies (daemon_session.py's output for it). Exit status 0; 2 on
errors; 3 if a script cannot be given to a real daemon (daemon_session.py's
reasons: macro, class, map lines, auth without account lines, starttls
verify=), unless --skip leaves such scripts out (named on standard error).

The world is daemon_session.py's (as root, `unshare -u -n -m`, here with
`-p --fork --mount-proc` too: host name mail.example.com, a DNS server on
127.0.0.1:53, SASL accounts, deliveries only to the namespace's `lo`),
made once for all scripts: every client address is put on `lo`; the DNS
records, `connect ... name=` records and `account` lines of all scripts
are merged. Scripts that disagree are refused (a name or address with
different records, or TEMP in one and records in another, an account with
two passwords, a client address with a PTR in one script and none or
another in the next). A script that relies on the absence of a name that
another script defines (a sender domain that must not exist, say) cannot
share a daemon with it: the harness cannot see which names a script only
looks up.

syslog(3) sends each message as a datagram to /dev/log. /dev is devtmpfs,
the same file system inside the namespace as outside, and may have no
/dev/log to mount on: so inside the mount namespace /dev is replaced by a
directory of WORK with the real /dev's symbolic links, its usual device
nodes and directories bind-mounted one by one, and a Unix datagram socket
of ours as /dev/log. Each datagram is glibc's `<PRI>Mmm dd hh:mm:ss
TAG[PID]: MESSAGE`; the file gets `Mmm dd hh:mm:ss mail TAG[PID]:
MESSAGE`. Sessions are played one at a time: after each, the harness
(pid 1 of its pid namespace) waits until no process but the daemon is left
(the connection's process and any delivery process it started have exited,
so all their lines are sent), then sends a marker datagram to its own
socket and reads up to it: the lines of a session are those before its
marker, in the order the daemon's processes sent them. The daemon's
status file exists (as Debian's /var/lib/sendmail/sendmail.st does).

Python use: capture(cf, scripts, ...) or capture_config(cf_or_mc, scripts,
...) -> Capture(lines, sessions).
"""

import argparse
import json
import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import threading
import time

import daemon_session
import workdir

LOGHOST = daemon_session.HOST.split(".")[0]  # rsyslog writes the short host name
DEV_NODES = ("null", "zero", "full", "random", "urandom", "tty", "ptmx", "console")
DEV_DIRS = ("pts", "shm", "mqueue")
DELIVERY = {"queue": "-odq", "background": "-odb", "interactive": "-odi"}
CHILD_TIMEOUT = 30.0   # seconds for a connection's process to exit after the session
MARKER = "cfkit-maillog-capture-marker "

# glibc 2.36 syslog(3): "<PRI>" strftime("%h %e %T ") "TAG[PID]: " MESSAGE
DATAGRAM = re.compile(r"\A<(\d{1,3})>([A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d) (.*)\Z", re.S)
RFC5424 = re.compile(r"\A<(\d{1,3})>1 (\S+) \S+ (\S+) (\S+) \S+ (?:-|\[.*?\]) ?(.*)\Z", re.S)


class CaptureError(Exception):
    pass


class Capture:
    """The log lines (classic syslog format) and, per script, which of them
    its session produced and what the server answered."""

    def __init__(self, lines, sessions):
        self.lines = lines        # every line, start-up included
        self.sessions = sessions  # [{"script", "first", "end", "replies"}]: lines[first:end]


def syslog_line(data, received=None):
    """One datagram as a line of a classic syslog file, or None if it is not
    one: 'Mmm dd hh:mm:ss HOST TAG[PID]: MESSAGE'."""
    text = data.decode("latin-1").rstrip("\0").rstrip("\n")
    m = DATAGRAM.match(text)
    if m:
        return "%s %s %s" % (m.group(2), LOGHOST, m.group(3))
    m = RFC5424.match(text)  # a newer glibc or another sender: its time, reformatted
    if m:
        t = time.localtime(received if received is not None else time.time())
        pid = "" if m.group(4) == "-" else "[%s]" % m.group(4)
        return "%s %s %s%s: %s" % (time.strftime("%b %e %H:%M:%S", t), LOGHOST, m.group(3), pid, m.group(5))
    return None


# ---- merging the scripts' worlds ---------------------------------------------

def merge(scripts, names):
    """One daemon_session.Script with the DNS records and accounts of all
    `scripts`; CaptureError if two disagree."""
    merged = daemon_session.Script()
    owner = {}  # (kind, key) -> script name that set it

    def put(kind, table, key, value, name):
        if key in table and table[key] != value:
            raise CaptureError("%s and %s disagree on %s %s (%s / %s)"
                               % (owner[(kind, key)], name, kind, key, table[key], value))
        table.setdefault(key, value)
        owner.setdefault((kind, key), name)

    for s, name in zip(scripts, names):
        for kind, table in (("A", "a"), ("AAAA", "aaaa"), ("MX", "mx"), ("PTR", "ptr"), ("TXT", "txt")):
            for key, value in getattr(s, table).items():
                put(kind, getattr(merged, table), key, list(dict.fromkeys(value)), name)  # duplicates dropped
        for key in s.temp:
            merged.temp.add(key)
            owner.setdefault(("TEMP", key), name)
        for user, password in s.accounts.items():
            put("account", merged.accounts, user, password, name)
    # TEMP and records for one name: SERVFAIL would hide the records
    for key in merged.temp:
        for kind, table in (("A", "a"), ("AAAA", "aaaa"), ("MX", "mx"), ("PTR", "ptr"), ("TXT", "txt")):
            if key in getattr(merged, table):
                raise CaptureError("%s and %s disagree on %s: TEMP in one, %s records in the other"
                                   % (owner[("TEMP", key)], owner[(kind, key)], key, kind))
    # a client address: the same reverse records (or none) in every script
    for s, name in zip(scripts, names):
        mine = (list(dict.fromkeys(s.ptr.get(s.client, []))), s.client in s.temp)
        for t, other in zip(scripts, names):
            if t.client == s.client and (list(dict.fromkeys(t.ptr.get(t.client, []))), t.client in t.temp) != mine:
                raise CaptureError("%s and %s connect from %s with different reverse records"
                                   % (name, other, s.client))
    return merged


# ---- inside the namespaces ---------------------------------------------------

class SyslogSink:
    """A Unix datagram socket as /dev/log (in this mount namespace only) and
    a thread reading it.

    /dev (devtmpfs, the same file system outside the namespace) may have no
    /dev/log to mount on, and a file made in it would appear outside too.
    So /dev is replaced by a directory of WORK: the real /dev's symbolic
    links copied, its device nodes (DEV_NODES) and directories (DEV_DIRS)
    bind-mounted there (not linked: a process that is not root, such as a
    mailer run as DefaultUser, could not follow a link into WORK under
    /root), and the socket."""

    def __init__(self, work):
        fakedev = work / "dev"
        fakedev.mkdir(mode=0o755)
        for entry in sorted(os.listdir("/dev")):
            real = pathlib.Path("/dev", entry)
            if entry == "log":
                continue
            if real.is_symlink():
                os.symlink(os.readlink(real), str(fakedev / entry))
            elif entry in DEV_DIRS and real.is_dir():
                (fakedev / entry).mkdir()
                daemon_session.run(["mount", "--rbind", str(real), str(fakedev / entry)])
            elif entry in DEV_NODES and not real.is_dir():
                (fakedev / entry).touch()
                daemon_session.run(["mount", "--bind", str(real), str(fakedev / entry)])
        self.path = fakedev / "log"
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(self.path))
        os.chmod(self.path, 0o666)  # the daemon's children run as other users at times
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        daemon_session.run(["mount", "--rbind", str(fakedev), "/dev"])
        self.path = pathlib.Path("/dev/log")
        self.cond = threading.Condition()
        self.records = []   # (time received, datagram)
        self.marks = set()
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            data = self.sock.recv(1 << 16)
            now = time.time()
            with self.cond:
                if data.startswith(MARKER.encode()):
                    self.marks.add(data[len(MARKER):].decode())
                else:
                    self.records.append((now, data))
                self.cond.notify_all()

    def sync(self, tag, timeout=10.0):
        """All datagrams sent before this call, as syslog lines (and the
        number of datagrams that were not syslog messages)."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            s.sendto((MARKER + tag).encode(), str(self.path))
        finally:
            s.close()
        deadline = time.monotonic() + timeout
        with self.cond:
            while tag not in self.marks:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise RuntimeError("the syslog reader did not see its marker within %g s" % timeout)
                self.cond.wait(left)
            records, self.records = self.records, []
        lines, bad = [], 0
        for when, data in records:
            line = syslog_line(data, when)
            if line is None:
                bad += 1
            else:
                lines.append(line)
        return lines, bad


def others(daemon):
    """The processes of this pid namespace that still run, other than this
    one (pid 1) and the daemon; zombies whose parent is this process (the
    delivery processes of -odb, orphaned when the session's process exits)
    are reaped."""
    busy = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in (1, daemon.proc.pid):
            continue
        try:
            with open("/proc/%s/stat" % entry, "rb") as f:
                stat = f.read().decode("latin-1")
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses
        rest = stat[stat.rfind(")") + 2:].split()
        if len(rest) < 2:
            continue
        if rest[0] == "Z":
            if rest[1] == "1":
                try:
                    os.waitpid(int(entry), 0)
                except ChildProcessError:
                    pass
            continue  # a zombie of the daemon's: it reaps its own
        busy.append(int(entry))
    return busy


def wait_quiet(daemon, timeout=CHILD_TIMEOUT):
    """Waits until only the daemon runs: the connection's process, and any
    delivery process it started, have exited, so all their lines are sent."""
    deadline = time.monotonic() + timeout
    while others(daemon):
        if daemon.exited():
            return
        if time.monotonic() > deadline:
            raise RuntimeError("processes %s did not exit within %g s after the session"
                               % (others(daemon), timeout))
        time.sleep(0.02)


def inner(args):
    """Inside the namespaces: the syslog socket, DNS, the daemon, the sessions."""
    paths = [pathlib.Path(p) for p in args.scripts]
    base = pathlib.Path(args.base) if args.base else None
    scripts = [daemon_session.parse_script(p.read_text(encoding="latin-1"), base or p.parent) for p in paths]
    merged = merge(scripts, [str(p) for p in paths])
    work = pathlib.Path(args.work)
    clients = []
    for s in scripts:
        if s.client not in clients:
            clients.append(s.client)
    daemon_session.setup_namespace(work, clients[0], clients[1:])
    if merged.accounts:  # before the socket: saslpasswd2 logs to syslog too
        daemon_session.setup_sasl(work, merged.accounts)
    sink = SyslogSink(work)
    daemon_session.start_dns(merged)
    v6 = any(daemon_session.is_ipv6(c) for c in clients)
    argv = daemon_session.daemon_argv(args.oracle, args.cf, work, v6)
    # the status file exists, as Debian's /var/lib/sendmail/sendmail.st does:
    # else each process logs "poststats: ...: No such file or directory" (LogLevel 13 and up)
    (work / "sendmail.st").touch(mode=0o600)
    assert argv[-1] == "-odq"
    argv.pop()  # without -od: the .cf's DeliveryMode
    if args.delivery:
        argv.append(DELIVERY[args.delivery])
    if args.loglevel is not None:
        argv.append("-OLogLevel=%d" % args.loglevel)
    result = {"lines": [], "sessions": [], "bad_datagrams": 0}
    daemon = daemon_session.Daemon(argv, work, v6)
    try:
        if v6 and not all(daemon_session.is_ipv6(c) for c in clients):
            daemon.wait_listening(False)
        lines, bad = sink.sync("start")
        result["lines"] += lines
        result["bad_datagrams"] += bad
        for n, (path, script) in enumerate(zip(paths, scripts)):
            replies = daemon_session.play_checked(script, daemon)
            wait_quiet(daemon)
            if daemon.exited():
                raise RuntimeError("sendmail exited (status %s) during %s: %s"
                                   % (daemon.proc.returncode, path, daemon.output() or "(no output)"))
            lines, bad = sink.sync("session %d" % n)
            first = len(result["lines"])
            result["lines"] += lines
            result["bad_datagrams"] += bad
            result["sessions"].append({"script": str(path), "first": first, "end": len(result["lines"]),
                                       "replies": replies})
    finally:
        daemon.stop()
    pathlib.Path(args.out).write_text(json.dumps(result), encoding="latin-1")
    return 0


# ---- outside -----------------------------------------------------------------

def parse_all(scripts, base=None):
    """(parsed scripts, the first skip reason or None); ScriptError on a bad script."""
    parsed = []
    for p in scripts:
        p = pathlib.Path(p)
        try:
            s = daemon_session.parse_script(p.read_text(encoding="latin-1"), base or p.parent)
        except daemon_session.ScriptError as e:
            raise daemon_session.ScriptError("%s: %s" % (p, e))
        if s.skip:
            return parsed, "%s: %s" % (p, s.skip)
        parsed.append(s)
    return parsed, None


def capture(cf, scripts, oracle=None, loglevel=None, delivery=None, base=None, keep=False):
    """Plays `scripts` (paths, in this order) against one daemon running the
    .cf `cf`; returns a Capture. `loglevel`: -OLogLevel; `delivery`: queue
    (-odq), background (-odb) or interactive (-odi); None: the .cf's. `base`: the directory relative `starttls
    cert=` paths are resolved against (default: each script's own).
    Needs root."""
    if os.geteuid() != 0:
        raise CaptureError("needs root (network and mount namespaces for the real daemon)")
    if not scripts:
        raise CaptureError("no scripts")
    parsed, skip = parse_all(scripts, base)
    if skip:
        raise CaptureError("cannot be given to the daemon: " + skip)
    merge(parsed, [str(p) for p in scripts])  # refuse disagreeing scripts before starting anything
    oracle = oracle or daemon_session.default_oracle()
    work = workdir.make("maillog-")
    try:
        out = work / "capture.json"
        # a pid namespace of its own (this script is its pid 1): "nothing runs
        # but the daemon" is then a look at /proc
        cmd = ["unshare", "-u", "-n", "-m", "-p", "--fork", "--kill-child", "--mount-proc",
               sys.executable, str(pathlib.Path(__file__).resolve()),
               "--inner", "--work", str(work), "--oracle", str(oracle), "--out", str(out)]
        if delivery is not None:
            cmd += ["--delivery", delivery]
        if loglevel is not None:
            cmd += ["--loglevel", str(loglevel)]
        if base is not None:
            cmd += ["--base", str(pathlib.Path(base).resolve())]
        cmd += [str(pathlib.Path(cf).resolve())] + [str(pathlib.Path(p).resolve()) for p in scripts]
        r = subprocess.run(cmd, timeout=120 + 60 * len(scripts), capture_output=True)
        if r.returncode != 0 or not out.exists():
            raise CaptureError("the daemon run failed (exit status %d): %s"
                               % (r.returncode, r.stderr.decode("latin-1").strip() or "(no output)"))
        result = json.loads(out.read_text(encoding="latin-1"))
        if result["bad_datagrams"]:
            raise CaptureError("%d datagrams on /dev/log were not syslog messages" % result["bad_datagrams"])
        return Capture(result["lines"], result["sessions"])
    finally:
        if keep:
            print("maillog_capture: work directory %s" % work, file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def capture_config(config, scripts, oracle=None, loglevel=None, delivery=None, keep=False):
    """capture() for a .cf, or a .mc built as sessiondiff.py builds its configs."""
    config = pathlib.Path(config)
    if config.suffix != ".mc":
        return capture(config, scripts, oracle, loglevel, delivery, keep=keep)
    import sessiondiff  # the .mc, its maps and aliases, @DIR@ and @CERTS@
    oracle = pathlib.Path(oracle or daemon_session.default_oracle())
    base = workdir.make("maillog-cf-")
    try:
        cf = sessiondiff.prepare(config.resolve(), oracle, base / config.stem)
        certs = "@CERTS@" in config.read_text()
        return capture(cf, scripts, oracle, loglevel, delivery, base=cf.parent if certs else None, keep=keep)
    finally:
        if keep:
            print("maillog_capture: config directory %s" % base, file=sys.stderr)
        else:
            shutil.rmtree(base, ignore_errors=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Play session scripts against one real sendmail daemon; "
                                 "write what it logged as a syslog file.")
    ap.add_argument("config", help="the .cf (or a .mc with its CONF.access, ... beside it)")
    ap.add_argument("scripts", nargs="+", metavar="SCRIPT", help="session scripts, played in this order")
    ap.add_argument("--log", help="the syslog file to write (default: standard output)")
    ap.add_argument("--loglevel", type=int, help="the daemon's LogLevel (-OLogLevel=N; default: the .cf's)")
    ap.add_argument("--delivery", choices=sorted(DELIVERY),
                    help="the daemon's DeliveryMode: queue (-odq), background (-odb) or interactive (-odi); "
                    "default: the .cf's")
    ap.add_argument("--skip", action="store_true",
                    help="leave out the scripts a real daemon cannot be given (else exit status 3)")
    ap.add_argument("--replies", metavar="DIR", help="write the server's replies to DIR/SCRIPT.replies")
    ap.add_argument("--oracle", help="the unpacked sendmail (default: tools/oracle/fetch-sendmail.sh)")
    ap.add_argument("--keep", action="store_true", help="keep the work directories (printed on standard error)")
    ap.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--work", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    ap.add_argument("--base", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.inner:
        args.cf = args.config
        return inner(args)
    try:
        while True:
            _, skip = parse_all(args.scripts)
            if not skip:
                break
            if not args.skip:
                print("maillog_capture: cannot be given to the daemon: %s" % skip, file=sys.stderr)
                return 3
            print("maillog_capture: skipped %s" % skip, file=sys.stderr)
            args.scripts = [p for p in args.scripts if not skip.startswith(str(pathlib.Path(p)) + ": ")]
            if not args.scripts:
                return 3
        if not pathlib.Path(args.config).is_file():
            print("maillog_capture: %s: no such file" % args.config, file=sys.stderr)
            return 2
        cap = capture_config(args.config, args.scripts, args.oracle, args.loglevel, args.delivery, args.keep)
    except (CaptureError, RuntimeError, OSError, daemon_session.ScriptError, subprocess.TimeoutExpired) as e:
        print("maillog_capture: %s" % e, file=sys.stderr)
        return 2
    text = "".join(l + "\n" for l in cap.lines)
    if args.log:
        pathlib.Path(args.log).write_text(text, encoding="latin-1")
    else:
        sys.stdout.write(text)
    if args.replies:
        d = pathlib.Path(args.replies)
        d.mkdir(parents=True, exist_ok=True)
        for s in cap.sessions:
            name = pathlib.Path(s["script"]).name
            name = name[:-len(".session")] if name.endswith(".session") else name
            (d / (name + ".replies")).write_text("".join(l + "\n" for l in s["replies"]), encoding="latin-1")
    return 0


if __name__ == "__main__":
    sys.exit(main())
