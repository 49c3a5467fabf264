#!/usr/bin/env python3
"""Queue differential: real sendmail 8.17 queues, `sendmail -bp` versus
`cfkit queue list`, and cfkit's queue operations checked by sendmail.

    tools/oracle/queuediff.py [--cfkit build/cfkit] [--oracle DIR] [--keep]
                              [--oracle-only] [--seed N] [--only WORD]

Needs root (namespaces). One line a check (`ok   NAME`, or `FAIL NAME`
with the differing bytes under it: non-printable ones as \\xNN), then "N
passed, N failed"; exit status 1 if a check failed, 2 if the harness
failed. `--only WORD`: the checks whose names contain WORD. `--seed`: the
kill -9 delays (printed). A run takes about 15 s.

Why: a queue tool is only safe if sendmail agrees with it. So every queue
here is written by the real sendmail, every listing cfkit prints is
compared with sendmail's own, byte for byte, and after every change cfkit
makes, sendmail is asked what it now sees.

Every sendmail runs in new UTS, network and mount namespaces: host name
mail.example.com, lo up, /etc/hosts (the test domains on 127.0.0.x, where
nothing listens) and /etc/nsswitch.conf ("hosts: files") bind-mounted,
-OServiceSwitchFile with "hosts files". Both programs get TZ=America/New_York.

1. The queues, written by sendmail itself (fixtures: testcases/queue/):
   - main (queue.mc, QueueDirectory on the command line; queue/main.session
     played over SMTP against `sendmail -bD -odq` with daemon_session's
     Daemon and play()): sizes from 0 to 6 KB, several recipients, equal
     priorities, a sender over 40 and a recipient over 80 characters, an
     empty df, BODY=8BITMIME, ENVID/RET/NOTIFY/ORCPT, the null sender,
     \\001 \\177 and 8-bit bytes and backslashes in addresses, a program
     alias (C line). Then, as the script's `#: ACTION` lines ask: queue runs
     `sendmail -qf -qI<ID>...` ("Deferred: Connection refused by HOST.",
     N1 and N2, K; a status over 100 columns), one with
     -OTimeout.queuewarn=1s (Fw, warning DSNs from MAILER-DAEMON), and
     quarantines `sendmail -Q"TEXT" -qI<ID>` (hf, q line; one over 60
     columns).
   - groups (groups.mc and groups/main.session, its own QueueDirectory
     .../spool/q*: q1 flat, q2 with qf/ df/ xf/; a Q line, group slow,
     chosen by the queuegroup ruleset; an envelope split across groups, a
     df hard link; a deferral and a quarantine in slow): MinQueueAge=1h
     and QueueLA=0, QueueFactor=1 so that -bp marks "-" and "X" (queue
     runs there need -OQueueLA=1000); TimeZoneSpec empty: times in $TZ
     (queue.mc leaves it unset: sendmail drops $TZ and uses /etc/localtime).
   - big: 300 messages in one SMTP session; empty: an empty directory.
   `--oracle-only` stops after the queues: it checks that each feature is
   in the files ("oracle:" lines), prints sendmail -bp [-v] [-qQ] of each
   queue and what sendmail's own quarantine and release change in a qf
   (release: `sendmail -qQ -qI<ID> -Q`; a bare -Q is "-Q.", which itself is
   refused on the command line).
2. list: `sendmail -bp` [-v] [-qQ] against `cfkit queue list [-v]
   [--quarantined] [QUEUE] --config CF`, stdout and exit status: QUEUE when
   sendmail gets -OQueueDirectory=QUEUE ("dir/q*" included), none for the
   groups config's own queues. Also with a qf locked by flock(2), as
   Debian's sendmail locks ("*"), and with planted junk ("(no control
   file)"). When only the Q-Time column differs, the report says so.
3. Operations, each on a fresh copy of the main queue (cp -a): the dry run
   (the default) changes nothing (names, sizes, mtimes, inodes, links,
   contents, of files and directories); its --json plan selects what this
   script's own reading of the qf files selects (regular expressions
   ignoring case, every filter holding; qf files only, hf files for release
   and move --quarantined, as sendmail -Q without -qQ); after --apply
   `sendmail -bp` and `-bp -qQ` show exactly that, and the --apply --json
   lines say it ("done", or skipped). quarantine and release are done by
   sendmail too, on another copy: the hf/qf bytes and modes must be the
   same; quarantine --id of an hf selects nothing, as sendmail. move: the
   moved ones in DEST, the rest in QDIR, none lost or doubled, the files
   unchanged, no df left behind. clean: the junk goes (a df without qf, a
   zero-size qf, a tf, an xf, all two days old), the rest stays (in-flight
   df and tf, an empty df, a split envelope's df hard-linked into a second
   queue directory, the groups queue's subdirectories). A locked qf (or tf)
   is skipped and named. check: 0 on sendmail's queues, 1 on the junk,
   each junk file named.
4. kill -9: `cfkit queue move --apply` of the big queue, once whole
   (timed; every file arrives unchanged), then 5 times killed after
   a random part of that time: the ids sendmail lists in QDIR and DEST are
   the original ones, none in both; `cfkit queue check QDIR DEST` exits 0,
   or 1 naming an unfinished move; the move run again completes it (all in
   DEST, unchanged; check exits 0).
"""

import argparse
import difflib
import fcntl
import hashlib
import json
import os
import pathlib
import random
import re
import shutil
import signal
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "tools/oracle"))
import daemon_session  # noqa: E402  (the daemon, the SMTP client, the script parser)
import sessiondiff  # noqa: E402  (a .mc expanded into a .cf with its aliases)
import workdir  # noqa: E402

HOST = "mail.example.com"
FIXTURES = ROOT / "testcases/queue"
# sendmail -bp prints times with ctime(): both programs get this $TZ
# (sendmail itself keeps it only when the .cf says TimeZoneSpec=).
TZ = "America/New_York"
# A host whose "Deferred: Connection refused by HOST." is longer than the
# 60 and 100 columns sendmail -bp and -bp -v show of a status.
LONG_HOST = "mx.with.a.rather.long.host.name.for.a.status.line.longer.than.a.hundred.refused.example"
# The namespace's /etc/hosts: the senders' domain must resolve (check_mail);
# the recipients' hosts are on lo, where nothing listens on port 25.
# (each name its own address: an alias would be canonified to the first name)
HOSTS = ("127.0.0.1\t%s localhost\n"
         "127.0.0.2\trefused.example\n"
         "127.0.0.3\tclient.example\n"
         "127.0.0.4\tslow.example\n"
         "127.0.0.5\t%s\n" % (HOST, LONG_HOST))
# "hosts: files" alone: a name not in /etc/hosts fails at once (with "dns",
# the IPv6 lookup sendmail tries first ends in TRY_AGAIN: "host name lookup
# failure" instead of "Connection refused").
NSSWITCH = "passwd: files\ngroup: files\nshadow: files\nhosts: files\nservices: files\nprotocols: files\n"
# The namespace: host name, lo up, /etc/hosts and /etc/nsswitch.conf;
# $0 is the host name, $1 and $2 the two files, then the command.
NS_SH = ('hostname "$0" && ip link set lo up && mount --bind "$1" /etc/hosts && '
         'mount --bind "$2" /etc/nsswitch.conf && shift 2 && exec "$@"')
GROUP_DIRS = ("spool/q1", "spool/q2/qf", "spool/q2/df", "spool/q2/xf", "spool/slow")
BIG = 300            # messages in the big queue
KILL_RUNS = 5        # kill -9 runs
TWO_DAYS = 2 * 86400


class HarnessError(Exception):
    pass


# ---- the environment both programs run in ------------------------------------

class Env:
    """The oracle, the work directory, the namespace files, the configs."""

    def __init__(self, oracle, work, cfkit):
        self.oracle = pathlib.Path(oracle)
        self.sendmail = self.oracle / "root/usr/libexec/sendmail/sendmail"
        self.work = pathlib.Path(work)
        self.cfkit = cfkit
        etc = self.work / "etc"
        etc.mkdir(mode=0o755)
        self.hosts = etc / "hosts"
        self.hosts.write_text(HOSTS)
        self.nsswitch = etc / "nsswitch.conf"
        self.nsswitch.write_text(NSSWITCH)
        self.switch = self.work / "service.switch"  # sendmail's own: no DNS either
        self.switch.write_text("hosts files\naliases files\n")
        self.env = dict(os.environ, TZ=TZ)
        self.queue_cf = None
        self.groups_cf = None

    def ns(self, argv):
        """argv inside new UTS, network and mount namespaces set up as above."""
        return ["unshare", "-u", "-n", "-m", "sh", "-c", NS_SH, HOST, str(self.hosts), str(self.nsswitch)] + \
            [str(a) for a in argv]

    def sm_argv(self, cf, queue, args):
        argv = [self.sendmail, "-C", cf, "-OServiceSwitchFile=%s" % self.switch,
                "-OStatusFile=%s" % (self.work / "sendmail.st")]
        if queue is not None:
            argv.append("-OQueueDirectory=%s" % queue)
        return argv + list(args)

    def sendmail_run(self, cf, queue, args, check=False, timeout=120):
        """(exit status, stdout bytes, stderr bytes) of sendmail in the namespace."""
        r = subprocess.run(self.ns(self.sm_argv(cf, queue, args)), capture_output=True, env=self.env,
                           timeout=timeout)
        if check and r.returncode != 0:
            raise HarnessError("sendmail %s: exit status %d: %s%s" % (
                " ".join(map(str, args)), r.returncode, r.stdout.decode("latin-1"), r.stderr.decode("latin-1")))
        return r.returncode, r.stdout, r.stderr

    def cfkit_run(self, args, timeout=120):
        """(exit status, stdout bytes, stderr bytes) of cfkit; status None if it cannot run."""
        try:
            r = subprocess.run([self.cfkit] + [str(a) for a in args], capture_output=True, env=self.env,
                               timeout=timeout)
        except OSError as e:
            return None, b"", ("cannot run %s: %s" % (self.cfkit, e)).encode()
        except subprocess.TimeoutExpired:
            return None, b"", ("%s took more than %d s" % (" ".join(map(str, args)), timeout)).encode()
        return r.returncode, r.stdout, r.stderr


# ---- queue files, read by this script (neither program's reading) ----------

def queue_subdirs(qdir):
    """(qf dir, df dir, xf dir): the qf/ df/ xf/ subdirectories sendmail uses
    when they exist, else the directory itself."""
    qdir = pathlib.Path(qdir)
    return tuple(qdir / s if (qdir / s).is_dir() else qdir for s in ("qf", "df", "xf"))


class Message:
    """One qf or hf file and its df: the lines the filters look at."""

    def __init__(self, qdir, name):
        qfdir, dfdir, _ = queue_subdirs(qdir)
        self.qdir = pathlib.Path(qdir)
        self.id = name[2:]
        self.quarantined = name[0] == "h"
        self.qf = qfdir / name
        self.df = dfdir / ("df" + self.id)
        data = self.qf.read_bytes()
        self.lines = data.split(b"\n")
        self.version = 0
        self.sender = None
        self.recipients = []
        self.attempts = 0
        self.ctime = 0
        self.priority = 0
        self.reason = None
        self.flags = b""
        for l in self.lines:
            key, val = l[:1], l[1:]
            if key == b"V":
                self.version = int(val or b"0")
            elif key == b"S":
                self.sender = val.decode("latin-1")
            elif key == b"R":
                addr = val.split(b":", 1)[1] if self.version >= 1 and b":" in val else val
                self.recipients.append(addr.decode("latin-1"))
            elif key == b"N":
                self.attempts = int(val or b"0")
            elif key == b"T":
                self.ctime = int(val or b"0")
            elif key == b"P":
                self.priority = int(val or b"0")
            elif key == b"q":
                self.reason = val.decode("latin-1")
            elif key == b"F":
                self.flags = val
        try:
            self.size = self.df.stat().st_size
        except OSError:
            self.size = -1

    def has(self, key, pattern=b""):
        return any(l.startswith(key) and pattern in l for l in self.lines)


def read_queue(qdir):
    """{id: Message} of the qf and hf files in one queue directory."""
    qfdir = queue_subdirs(qdir)[0]
    out = {}
    for p in sorted(qfdir.iterdir()):
        if p.name[:2] in ("qf", "hf") and p.is_file() and p.stat().st_size > 0:
            out[p.name[2:]] = Message(qdir, p.name)
    return out


def snapshot(*dirs):
    """Every file and directory below dirs: name, type, size, mtime, inode,
    links, mode and (files) a hash of the contents."""
    out = {}
    for d in dirs:
        d = pathlib.Path(d)
        for p in [d] + sorted(d.rglob("*")):
            st = p.lstat()
            digest = hashlib.sha1(p.read_bytes()).hexdigest() if p.is_file() else ""
            out[str(p)] = (oct(st.st_mode), st.st_size, st.st_mtime_ns, st.st_ino, st.st_nlink, digest)
    return out


def snapshot_diff(before, after):
    lines = []
    for k in sorted(set(before) | set(after)):
        if k not in after:
            lines.append("gone:    %s" % k)
        elif k not in before:
            lines.append("new:     %s" % k)
        elif before[k] != after[k]:
            lines.append("changed: %s %s -> %s" % (k, before[k][:5], after[k][:5]))
    return lines


def copy_queue(src, dst):
    """cp -a: modes, times and hard links within the copy kept."""
    subprocess.run(["cp", "-a", str(src), str(dst)], check=True)


def make_dir(path):
    path = pathlib.Path(path)
    path.mkdir(mode=0o700, parents=True)
    os.chmod(path, 0o700)
    return path


# ---- sendmail -bp listings ---------------------------------------------------

# A listing's entry line: the id (%13s), the mark (*, ?, -, X or a space)
# and the df size (%8ld, then a space), or the mark and " (no control
# file)"; or, right after the id, " (job completed)" or another error. An
# id may end in X: the size's eight columns and the texts decide. The body
# type line ("    %10.10s   (status)") has three spaces before "(".
ENTRY = re.compile(r"^ *([0-9A-Za-z]+)(?:([*?X -])(?:[ \d-]{7}\d | \(no control file\))"
                   r"| \((?!no control file\)))", re.M)
# The Q-Time column: "Mon Dec  7 19:32" (ctime's first 16), "Dec  7 19:32" with -v.
QTIME = re.compile(r"\b(?:[A-Z][a-z]{2} )?[A-Z][a-z]{2} [ \d]\d \d\d:\d\d\b")


def listed(text):
    """{id: mark} of a sendmail -bp listing."""
    return {m.group(1): m.group(2) or "" for m in ENTRY.finditer(text)}


def entries(text):
    """The entries of a listing (entry line and the lines under it), sorted."""
    out, cur = [], None
    for line in text.split("\n"):
        if ENTRY.match(line):
            cur = [line]
            out.append(cur)
        elif cur is not None and line[:1] in (" ", "\t") and not line.startswith("\t\t" + "Total"):
            cur.append(line)
        else:
            cur = None
    return sorted("\n".join(e) for e in out)


def entry_text(text, qid):
    """The lines of one entry of a listing (up to the next entry or header)."""
    lines = text.split("\n")
    for i, l in enumerate(lines):
        m = ENTRY.match(l)
        if m and m.group(1) == qid:
            out = [l]
            for l2 in lines[i + 1:]:
                if ENTRY.match(l2) or l2.startswith("\t\t") or l2.startswith("-----") or not l2.strip():
                    break
                out.append(l2)
            return "\n".join(out)
    return ""


# ---- making the queues -----------------------------------------------------

class Transaction:
    """One DATA of a session script with its `#: ACTION` lines."""

    def __init__(self, index):
        self.index = index
        self.defer = 0
        self.warn = False
        self.quarantine = None
        self.id = None


def parse_actions(text):
    """The session script's transactions, in order, with their actions."""
    out, pending = [], []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i].rstrip("\r")
        i += 1
        w = line.split()
        if line.startswith("#:"):
            pending.append(line[2:].strip())
        elif w and w[0].lower() == "data":
            t = Transaction(len(out) + 1)
            for a in pending:
                word, _, rest = a.partition(" ")
                if word == "defer":
                    t.defer = int(rest) if rest.strip() else 1
                elif word == "warn":
                    t.warn = True
                elif word == "quarantine" and rest.strip():
                    t.quarantine = rest.strip()
                else:
                    raise HarnessError("unknown action #: %s" % a)
            pending = []
            out.append(t)
            while i < len(lines) and lines[i].rstrip("\r") != ".":
                i += 1
            i += 1
    return out


def inner_play(args):
    """Inside the namespace (NS_SH): sendmail -bD -odq, one session script
    played against it; prints the server's lines."""
    work = pathlib.Path(args.work)
    script = daemon_session.parse_script(pathlib.Path(args.script).read_text(encoding="latin-1"),
                                         pathlib.Path(args.script).parent)
    sm = pathlib.Path(args.oracle) / "root/usr/libexec/sendmail/sendmail"
    argv = [str(sm), "-bD", "-C", args.cf, "-OServiceSwitchFile=%s" % args.switch,
            "-ODaemonPortOptions=Addr=127.0.0.1,Port=25,Name=MTA",
            "-OPidFile=%s" % (work / "sendmail.pid"), "-OStatusFile=%s" % (work / "sendmail.st"), "-odq"]
    if args.queue:
        argv.append("-OQueueDirectory=" + args.queue)
    daemon = daemon_session.Daemon(argv, work)
    try:
        out = daemon_session.play_checked(script, daemon)
    finally:
        daemon.stop()
    sys.stdout.write("".join(l + "\n" for l in out))
    return 0


ACCEPTED = re.compile(r"^250 2\.0\.0 (\S+) Message accepted for delivery$", re.M)


def play(env, name, cf, queue, script):
    """Plays a session script against a fresh daemon; the accepted ids in order."""
    run = make_dir(env.work / "run" / name)
    r = subprocess.run(env.ns([sys.executable, pathlib.Path(__file__).resolve(), "--inner-play",
                               "--work", run, "--oracle", env.oracle, "--switch", env.switch,
                               "--cf", cf, "--queue", queue or "", "--script", script]),
                       capture_output=True, env=env.env, timeout=600)
    out = r.stdout.decode("latin-1")
    if r.returncode != 0:
        raise HarnessError("the daemon session %s failed (exit %d): %s\n%s"
                           % (script, r.returncode, r.stderr.decode("latin-1").strip(), out))
    return ACCEPTED.findall(out), out


def run_actions(env, cf, queue, trans, extra=()):
    """The queue runs and quarantines the transactions' `#:` lines ask for."""
    def run_ids(ids, opts=()):
        if ids:
            env.sendmail_run(cf, queue, list(extra) + list(opts) + ["-qf"] + ["-qI" + i for i in ids], check=True)
    for n in range(1, max([t.defer for t in trans] + [0]) + 1):
        run_ids([t.id for t in trans if t.defer >= n])
    warn = [t for t in trans if t.warn]
    if warn:
        # Timeout.queuewarn=1s: the messages must be older than that
        newest = max(Message(*locate(queue, cf, t.id)).ctime for t in warn)
        time.sleep(max(0.0, newest + 2 - time.time()))
        run_ids([t.id for t in warn], ["-OTimeout.queuewarn=1s"])
    for t in trans:
        if t.quarantine:
            env.sendmail_run(cf, queue, list(extra) + ["-Q" + t.quarantine, "-qI" + t.id], check=True)


def locate(queue, cf, qid):
    """(queue directory, qf name) of a message in a queue (or a config's queues)."""
    for d in queue_dirs_of(queue, cf):
        qfdir = queue_subdirs(d)[0]
        for letter in "qh":
            if (qfdir / (letter + "f" + qid)).exists():
                return d, letter + "f" + qid
    raise HarnessError("message %s not found in %s" % (qid, queue or cf))


def queue_dirs_of(queue, cf):
    """The queue directories sendmail uses: QUEUE (a trailing * expanded as
    sendmail expands it: the subdirectories whose names start with the
    prefix) or, without it, the .cf's QueueDirectory and Q lines' P=."""
    paths = []
    if queue:
        paths.append(str(queue))
    else:
        for line in pathlib.Path(cf).read_text(encoding="latin-1").splitlines():
            if line.startswith("O QueueDirectory="):
                paths.insert(0, line.split("=", 1)[1].strip())
            elif line.startswith("Q") and "P=" in line:
                paths.append(re.search(r"P=([^,\s]+)", line).group(1))
    out = []
    for p in paths:
        if p.endswith("*"):
            base, prefix = os.path.split(p[:-1])
            out += sorted(pathlib.Path(base) / n for n in os.listdir(base)
                          if n.startswith(prefix) and (pathlib.Path(base) / n).is_dir())
        else:
            out.append(pathlib.Path(p))
    return out


class Queues:
    """The queues sendmail made, with what the harness knows about them."""

    def __init__(self, env):
        self.env = env
        self.main = env.work / "queues/main"
        self.big = env.work / "queues/big"
        self.empty = env.work / "queues/empty"
        self.groups_spool = None
        self.main_trans = []
        self.groups_trans = []


def make_queues(env, log):
    """Step 1: every queue, by the real sendmail."""
    q = Queues(env)
    confs = make_dir(env.work / "conf")
    env.queue_cf = sessiondiff.prepare(FIXTURES / "queue.mc", env.oracle, confs / "queue")
    env.groups_cf = sessiondiff.prepare(FIXTURES / "groups.mc", env.oracle, confs / "groups", queues=GROUP_DIRS)
    q.groups_spool = confs / "groups/spool"
    for d in (q.main, q.big, q.empty):
        make_dir(d)

    # main: one daemon, one session, then the queue runs and quarantines
    t0 = time.monotonic()
    script = FIXTURES / "queue/main.session"
    q.main_trans = parse_actions(script.read_text(encoding="latin-1"))
    ids, out = play(env, "main", env.queue_cf, q.main, script)
    if len(ids) != len(q.main_trans):
        raise HarnessError("%s: %d messages, %d accepted; the daemon said:\n%s"
                           % (script, len(q.main_trans), len(ids), out))
    for t, i in zip(q.main_trans, ids):
        t.id = i
    run_actions(env, env.queue_cf, q.main, q.main_trans)
    log("main queue: %d messages accepted, %d in the queue (%.1f s)"
        % (len(ids), len(read_queue(q.main)), time.monotonic() - t0))

    # groups: sendmail picks q1 or q2 at random for each message: play the
    # session again (a new connection) until both have some
    t0 = time.monotonic()
    script = FIXTURES / "groups/main.session"
    for attempt in range(4):
        trans = parse_actions(script.read_text(encoding="latin-1"))
        ids, out = play(env, "groups%d" % attempt, env.groups_cf, None, script)
        if len(ids) != len(trans):
            raise HarnessError("%s: %d messages, %d accepted; the daemon said:\n%s"
                               % (script, len(trans), len(ids), out))
        for t, i in zip(trans, ids):
            t.id = i
        q.groups_trans += trans
        if read_queue(q.groups_spool / "q1") and read_queue(q.groups_spool / "q2"):
            break
    # QueueLA=0 in the .cf: a queue run would skip everything
    run_actions(env, env.groups_cf, None, q.groups_trans, extra=["-OQueueLA=1000"])
    log("groups queue: %d messages (%.1f s)" % (sum(len(read_queue(d)) for d in queue_dirs_of(None, env.groups_cf)),
                                                time.monotonic() - t0))

    # big: BIG messages in one session, sizes varying
    t0 = time.monotonic()
    rnd = random.Random(1)
    text = "connect 127.0.0.1\nehlo client.example\n"
    for n in range(BIG):
        text += ("mail <sender%d@client.example>\nrcpt <rcpt%d@refused.example>\ndata\nSubject: message %d\n\n%s\n.\n"
                 % (n, n % 17, n, "\n".join("line %d of message %d" % (k, n) for k in range(rnd.randint(0, 40)))))
    text += "quit\n"
    script = env.work / "run/big.session"
    script.write_text(text)
    ids, out = play(env, "big", env.queue_cf, q.big, script)
    if len(ids) != BIG:
        raise HarnessError("big queue: %d of %d messages accepted:\n%s" % (len(ids), BIG, out[-2000:]))
    log("big queue: %d messages (%.1f s)" % (len(ids), time.monotonic() - t0))
    return q


# ---- what the oracle made: self-checks ---------------------------------------

def oracle_checks(q):
    """(name, bool, detail): each feature the queues should hold, looked up
    in the files sendmail wrote."""
    main = read_queue(q.main)
    msgs = list(main.values())
    groups = {d: read_queue(d) for d in queue_dirs_of(None, q.env.groups_cf)}
    gmsgs = [m for ms in groups.values() for m in ms.values()]

    def any_(pred, ms=msgs):
        hits = [m.id for m in ms if pred(m)]
        return bool(hits), ", ".join(hits[:4])

    marks = set(listed(bp(q.env, q.env.groups_cf, None)[1].decode("latin-1")).values())

    checks = [
        ("main: several sizes", len({m.size for m in msgs}) >= 5, "sizes %s" % sorted({m.size for m in msgs})),
        ("main: equal priorities", *any_(lambda m: sum(1 for o in msgs if o.priority == m.priority) > 1)),
        ("main: 3 recipients", *any_(lambda m: len(m.recipients) >= 3)),
        ("main: sender > 40 characters", *any_(lambda m: len(m.sender or "") > 40)),
        ("main: recipient > 80 characters", *any_(lambda m: any(len(r) > 80 for r in m.recipients))),
        ("main: empty df", *any_(lambda m: m.size == 0)),
        ("main: B8BITMIME", *any_(lambda m: m.has(b"B8BITMIME"))),
        ("main: ENVID (Z line)", *any_(lambda m: m.has(b"Z"))),
        ("main: ORCPT (Q line)", *any_(lambda m: m.has(b"Q"))),
        ("main: NOTIFY (R flags N, S, F)", *any_(lambda m: m.has(b"RPNSF:"))),
        ("main: null sender", *any_(lambda m: m.sender == "<>")),
        ("main: control characters in an address", *any_(lambda m: any(ord(c) < 0x20 or ord(c) == 0x7f
                                                                      for c in m.sender or ""))),
        ("main: 8-bit characters in an address", *any_(lambda m: any(ord(c) >= 0x80 for c in m.sender or ""))),
        ("main: backslash in an address", *any_(lambda m: "\\" in (m.sender or ""))),
        ("main: deferred, Connection refused (M line)",
         *any_(lambda m: m.has(b"MDeferred: Connection refused by refused.example."))),
        ("main: a status over 100 columns", *any_(lambda m: any(l[:1] == b"M" and len(l) > 101 for l in m.lines))),
        ("main: tried twice (N2)", *any_(lambda m: m.attempts == 2)),
        ("main: K time", *any_(lambda m: m.has(b"K") and not m.has(b"K0"))),
        ("main: warning sent (Fw)", *any_(lambda m: b"w" in m.flags)),
        ("main: warning DSN from MAILER-DAEMON", *any_(lambda m: m.sender == "MAILER-DAEMON")),
        ("main: quarantined (hf, q line)", *any_(lambda m: m.quarantined and m.reason)),
        ("main: a quarantine reason over 60 columns", *any_(lambda m: len(m.reason or "") > 60)),
        ("main: quarantined after a deferral (q and M lines)",
         *any_(lambda m: m.quarantined and m.has(b"MDeferred"))),
        ("main: controlling user (C line)", *any_(lambda m: m.has(b"C"))),
        ("main: a program recipient", *any_(lambda m: any(r.startswith('"|') for r in m.recipients))),
        ("groups: several directories (q*)", len([d for d in groups if d.name.startswith("q")]) >= 2,
         " ".join(d.name for d in groups)),
        ("groups: q1 has messages", bool(groups.get(q.groups_spool / "q1")), ""),
        ("groups: q2 with qf/ df/ xf/ has messages",
         bool(groups.get(q.groups_spool / "q2")) and (q.groups_spool / "q2/qf").is_dir(), ""),
        ("groups: group slow (Q line) has messages", bool(groups.get(q.groups_spool / "slow")), ""),
        ("groups: a df hard-linked across directories (split envelope)",
         *any_(lambda m: m.size >= 0 and m.df.stat().st_nlink > 1, gmsgs)),
        ("groups: deferred (K time)", *any_(lambda m: m.attempts > 0, gmsgs)),
        ("groups: sendmail -bp marks '-' (MinQueueAge) and 'X' (QueueLA)", {"-", "X"} <= marks,
         "marks %s" % sorted(marks)),
        ("groups: quarantined", *any_(lambda m: m.quarantined, gmsgs)),
        ("big: %d messages" % BIG, len(read_queue(q.big)) == BIG, "%d" % len(read_queue(q.big))),
    ]
    return checks


# ---- the checks --------------------------------------------------------------

class Report:
    def __init__(self, only=None):
        self.passed = 0
        self.failed = 0
        self.only = only

    def wanted(self, name):
        return not self.only or self.only in name

    def ok(self, name, note=""):
        self.passed += 1
        print("ok   %s%s" % (name, " (%s)" % note if note else ""), flush=True)

    def fail(self, name, lines):
        self.failed += 1
        print("FAIL %s" % name)
        for l in lines:
            print("  " + l)
        sys.stdout.flush()

    def result(self, name, problems, note=""):
        if problems:
            self.fail(name, problems + (["(%s)" % note] if note else []))
        else:
            self.ok(name, note)


def show(b):
    """Bytes as text, the non-printable ones (but newline and tab) as \\xNN:
    a diff must show the bytes."""
    return "".join(c if c in "\n\t" or 0x20 <= ord(c) < 0x7f else "\\x%02x" % ord(c) for c in b.decode("latin-1"))


def diff_lines(want, got, a="sendmail", b="cfkit"):
    w, g = show(want).splitlines(True), show(got).splitlines(True)
    return [l.rstrip("\n") for l in difflib.unified_diff(w, g, a, b, lineterm="\n")]


def compare_output(name, report, want, got):
    """want/got: (status, stdout, stderr)."""
    problems = []
    if got[0] is None:
        problems.append("cfkit did not run: %s" % got[2].decode("latin-1").strip())
    else:
        if want[1] != got[1]:
            w, g = want[1].decode("latin-1"), got[1].decode("latin-1")
            masked = QTIME.sub("TIME", w) == QTIME.sub("TIME", g)
            if masked:  # one line a difference is enough
                wl, gl = w.split("\n"), g.split("\n")
                pairs = [(a, b) for a, b in zip(wl, gl) if a != b]
                problems.append("only the Q-Time column differs (%d of %d lines; the time zone? the .cf's "
                                "TimeZoneSpec: unset = /etc/localtime, sendmail drops $TZ; empty = $TZ), e.g.:"
                                % (len(pairs), len(wl)))
                problems += ["-" + show(pairs[0][0].encode("latin-1")), "+" + show(pairs[0][1].encode("latin-1"))]
            else:
                problems += diff_lines(want[1], got[1])
                if entries(QTIME.sub("TIME", w)) == entries(QTIME.sub("TIME", g)):
                    problems.append("(the same entries in another order)")
        if want[0] != got[0]:
            problems.append("exit status: sendmail %d, cfkit %d" % (want[0], got[0]))
        if got[0] != want[0] or want[1] != got[1]:
            if got[2].strip():
                problems += ["cfkit stderr: " + l for l in got[2].decode("latin-1").strip().splitlines()]
    report.result(name, problems, "" if problems else "%d lines" % want[1].count(b"\n"))


def bp(env, cf, queue, *opts):
    """sendmail -bp [opts]: (status, stdout, stderr)."""
    return env.sendmail_run(cf, queue, ["-bp"] + list(opts))


def list_views(env, cf, queue):
    """{id: mark} of sendmail -bp and of sendmail -bp -qQ."""
    return (listed(bp(env, cf, queue)[1].decode("latin-1")),
            listed(bp(env, cf, queue, "-qQ")[1].decode("latin-1")))


LIST_VARIANTS = [((), ()), (("-v",), ("-v",)), (("-qQ",), ("--quarantined",)), (("-qQ", "-v"), ("--quarantined", "-v"))]


def check_list(env, report, name, cf, queue, variants=LIST_VARIANTS):
    """sendmail -bp against cfkit queue list, each variant."""
    for sm_opts, ck_opts in variants:
        n = "list %s%s" % (name, "".join(" " + o for o in ck_opts))
        if not report.wanted(n):
            continue
        want = bp(env, cf, queue if queue else None, *sm_opts)
        got = env.cfkit_run(["queue", "list"] + list(ck_opts) + ([queue] if queue else []) + ["--config", cf])
        compare_output(n, report, want, got)


def plan_ids(stdout):
    """The ids of cfkit's --json plan (one JSON object a line: "id")."""
    ids, bad = [], []
    for line in stdout.decode("utf-8", "replace").splitlines():
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            bad.append(line)
            continue
        qid = obj.get("id") if isinstance(obj, dict) else None
        if qid is None:
            bad.append(line)
        else:
            ids.append(qid)
    return ids, bad


def size_arg(text):
    """500k, 1M, 100: bytes (k = 1024; the checks stay clear of 1000..1024)."""
    m = re.fullmatch(r"(\d+)([kKmMgG]?)", text)
    return int(m.group(1)) * {"": 1, "k": 1024, "m": 1 << 20, "g": 1 << 30}[m.group(2).lower()]


def age_arg(text):
    """45s, 90m, 36h, 2d, 1w: seconds."""
    return int(text[:-1]) * {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[text[-1]]


def expected_selection(msgs, args, quarantined=False):
    """The ids a selection (cfkit's filter options) picks, by this script's
    reading of the qf files: every option must hold (and); regular
    expressions ignore case. Only qf files, or (quarantined) only hf files:
    sendmail -Q works on qf files unless -qQ says hf, and so do cfkit's
    quarantine and move (move --quarantined: hf); release: hf."""
    sel = []
    ids = [args[i + 1] for i, a in enumerate(args) if a == "--id"]
    for m in msgs.values():
        ok = m.quarantined == quarantined
        for i, a in enumerate(args):
            v = args[i + 1] if i + 1 < len(args) else None
            if a == "--sender":
                ok &= bool(re.search(v, m.sender or "", re.I))
            elif a == "--recipient":
                ok &= any(re.search(v, r, re.I) for r in m.recipients)
            elif a == "--larger-than":
                ok &= m.size > size_arg(v)
            elif a == "--attempts-over":
                ok &= m.attempts > int(v)
            elif a == "--older-than":
                ok &= time.time() - m.ctime > age_arg(v)
        if ids:
            ok &= m.id in ids
        if ok:
            sel.append(m.id)
    return sorted(sel)


class Op:
    """One cfkit queue operation checked against sendmail: copies, dry run,
    plan, apply, sendmail's views."""

    def __init__(self, env, report, q, name):
        self.env, self.report, self.q, self.name = env, report, q, name
        self.dir = make_dir(env.work / "t" / re.sub(r"[^A-Za-z0-9]+", "-", name))
        self.problems = []
        # an --id that selects nothing is named on stderr with exit status 1
        self.expect_status, self.expect_stderr = 0, None

    def copy_main(self, as_name="q"):
        dst = self.dir / as_name
        copy_queue(self.q.main, dst)
        return dst

    def dry_run(self, op, args, qdirs, extra_dirs=()):
        """cfkit queue OP ARGS --json (no --apply): its plan's ids; checks
        that nothing changed."""
        before = snapshot(*qdirs, *extra_dirs)
        st, out, err = self.env.cfkit_run(["queue", op] + args + ["--json"] + [str(d) for d in qdirs])
        after = snapshot(*qdirs, *extra_dirs)
        if st is None:
            self.problems.append("cfkit did not run: %s" % err.decode("latin-1").strip())
            return None
        if st != self.expect_status:
            self.problems.append("dry run: exit status %d: %s" % (st, (out + err).decode("latin-1").strip()))
        if self.expect_stderr and self.expect_stderr not in err.decode("latin-1"):
            self.problems.append("dry run: %r not on stderr: %s" % (self.expect_stderr, err.decode("latin-1").strip()))
        changes = snapshot_diff(before, after)
        if changes:
            self.problems.append("the dry run changed files:")
            self.problems += changes
        ids, bad = plan_ids(out)
        if bad:
            self.problems.append("dry run: lines that are not JSON objects with an id:")
            self.problems += ["| " + l for l in bad[:10]]
        return ids

    def apply(self, op, args, qdirs):
        st, out, err = self.env.cfkit_run(["queue", op] + args + ["--apply", "--json"] + [str(d) for d in qdirs])
        if st is None:
            self.problems.append("cfkit did not run: %s" % err.decode("latin-1").strip())
        self.applied = (st, out, err)
        return st, out, err

    def check_status(self, lock=False):
        """--apply exits 0; 1 is also right when a locked message was skipped."""
        st = self.applied[0]
        if st is not None and st != self.expect_status and not (lock and st == 1):
            self.problems.append("--apply: exit status %d" % st)

    def check_said(self, done, skipped=()):
        """What --apply --json said it did ("done": true) and skipped is
        what sendmail saw done and what was locked."""
        st, out, _ = self.applied
        if st is None:
            return
        said_done, said_skipped = [], []
        for line in out.decode("utf-8", "replace").splitlines():
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict) and "id" in obj:
                (said_done if obj.get("done") else said_skipped).append(obj["id"])
        self.expect_equal("--apply --json, done", done, said_done)
        self.expect_equal("--apply --json, not done", skipped, said_skipped)

    def expect_equal(self, what, want, got):
        want, got = sorted(want), sorted(got)
        if want != got:
            self.problems.append("%s: want %s, got %s (missing %s, extra %s)"
                                 % (what, want, got, sorted(set(want) - set(got)), sorted(set(got) - set(want))))

    def done(self, note=""):
        if self.problems and getattr(self, "applied", None) and self.applied[0] is not None:
            st, out, err = self.applied
            self.problems.append("cfkit --apply: exit status %s" % st)
            self.problems += ["| " + l for l in (out + err).decode("latin-1").strip().splitlines()[:20]]
        self.report.result(self.name, self.problems, note)


def check_quarantine(env, report, q, name, args, reason, lock=False, none=False):
    """cfkit queue quarantine: plan = selection; after --apply sendmail -bp
    -qQ lists the selected with QUARANTINE: REASON, -bp no longer; each hf
    as sendmail's own quarantine of the same id writes it. none: the
    selection (--id of an hf) picks nothing, for sendmail -Q"REASON" -qI<ID>
    leaves a quarantined message alone (it reads qf files only)."""
    if not report.wanted(name):
        return
    op = Op(env, report, q, name)
    if none:
        op.expect_status, op.expect_stderr = 1, "is already quarantined"
    a = op.copy_main("a")
    b = op.copy_main("b")  # sendmail's own quarantine, for the bytes
    msgs = read_queue(a)
    want = expected_selection(msgs, args)
    if bool(want) == none:
        raise HarnessError("%s: the selection %s picks %s" % (name, args, want))
    if none:
        ids = [args[i + 1] for i, x in enumerate(args) if x == "--id"]
        theirs0 = snapshot(b)
        for i in ids:
            env.sendmail_run(env.queue_cf, b, ["-Q" + reason, "-qI" + i], check=True)
        if snapshot(b) != theirs0:
            raise HarnessError("sendmail -Q%s -qI%s changed the queue" % (reason, ids))
    normal0, quar0 = list_views(env, env.queue_cf, a)
    plan = op.dry_run("quarantine", ["--reason", reason] + args, [a])
    if plan is not None:
        op.expect_equal("plan", want, plan)
    held = None
    if lock:
        held = lock_qf(msgs[want[0]].qf)
    mine0 = snapshot(a)
    try:
        op.apply("quarantine", ["--reason", reason] + args, [a])
        normal, quar = list_views(env, env.queue_cf, a)
    finally:
        if held is not None:
            os.close(held)
    done = [i for i in want if not (lock and i == want[0])]
    op.expect_equal("sendmail -bp -qQ", set(quar0) | set(done), quar)
    op.expect_equal("sendmail -bp", set(normal0) - set(done), normal)
    text = bp(env, env.queue_cf, a, "-qQ")[1].decode("latin-1")
    for i in done:
        if "QUARANTINE: " + reason[:60] not in entry_text(text, i):
            op.problems.append("%s: no 'QUARANTINE: %s' in sendmail -bp -qQ:\n%s" % (i, reason, entry_text(text, i)))
    op.check_status(lock)
    op.check_said(done, want[:1] if lock else [])
    if lock:
        report_skip(op, want[0], msgs[want[0]].qf)
    if none:
        changes = snapshot_diff(mine0, snapshot(a))
        if changes:
            op.problems.append("sendmail changes nothing, cfkit's --apply did:")
            op.problems += changes
    for i in done:  # sendmail does the same to its copy
        env.sendmail_run(env.queue_cf, b, ["-Q" + reason, "-qI" + i], check=True)
        mine, theirs = a / ("hf" + i), b / ("hf" + i)
        if not theirs.exists():
            raise HarnessError("sendmail -Q%s -qI%s made no hf" % (reason, i))
        if not mine.exists():
            op.problems.append("%s: no hf file after cfkit's quarantine" % i)
        else:
            same_file(op, mine, theirs)
    op.done("%d quarantined" % len(done) if not none else "none selected, as sendmail")


def same_file(op, mine, theirs):
    """cfkit's file has sendmail's bytes and mode."""
    if mine.read_bytes() != theirs.read_bytes():
        op.problems.append("%s differs from sendmail's:" % mine.name)
        op.problems += diff_lines(theirs.read_bytes(), mine.read_bytes())
    m, t = mine.stat().st_mode, theirs.stat().st_mode
    if m != t:
        op.problems.append("%s: mode %o, sendmail's %o" % (mine.name, m, t))


def check_release(env, report, q, name, args):
    """cfkit queue release: the selected quarantined messages are back in
    sendmail -bp; each qf as sendmail's release writes it: `sendmail -qQ
    -qI<ID> -Q` (a bare -Q is sendmail's "-Q.", unquarantine; "-Q." itself
    is refused on the command line)."""
    if not report.wanted(name):
        return
    op = Op(env, report, q, name)
    a = op.copy_main("a")
    b = op.copy_main("b")
    msgs = read_queue(a)
    want = expected_selection(msgs, args, quarantined=True)
    if not want:
        raise HarnessError("%s: the selection %s picks no quarantined message" % (name, args))
    normal0, quar0 = list_views(env, env.queue_cf, a)
    plan = op.dry_run("release", args, [a])
    if plan is not None:
        op.expect_equal("plan", want, plan)
    op.apply("release", args, [a])
    op.check_status()
    normal, quar = list_views(env, env.queue_cf, a)
    op.expect_equal("sendmail -bp", set(normal0) | set(want), normal)
    op.expect_equal("sendmail -bp -qQ", set(quar0) - set(want), quar)
    op.check_said(want)
    for i in want:
        env.sendmail_run(env.queue_cf, b, ["-qQ", "-qI" + i, "-Q"], check=True)
        mine, theirs = a / ("qf" + i), b / ("qf" + i)
        if not theirs.exists():
            raise HarnessError("sendmail -qQ -qI%s -Q made no qf" % i)
        if not mine.exists():
            op.problems.append("%s: no qf file after cfkit's release" % i)
        else:
            same_file(op, mine, theirs)
    op.done("%d released" % len(want))


def check_move(env, report, q, name, args, lock=False):
    """cfkit queue move --to DEST: DEST lists the moved, QDIR the rest,
    the union is the original; the moved files are unchanged."""
    if not report.wanted(name):
        return
    op = Op(env, report, q, name)
    a = op.copy_main("a")
    dest = make_dir(op.dir / "dest")
    if "--older-than" in args:  # clear of the boundary: every message old enough
        newest = max(m.ctime for m in read_queue(a).values())
        limit = age_arg(args[args.index("--older-than") + 1])
        time.sleep(max(0.0, newest + limit + 2 - time.time()))
    msgs = read_queue(a)
    want = expected_selection(msgs, args, quarantined="--quarantined" in args)
    if not want:
        raise HarnessError("%s: the selection %s picks nothing" % (name, args))
    files0 = {i: (msgs[i].qf.name, msgs[i].qf.read_bytes(), msgs[i].df.read_bytes() if msgs[i].size >= 0 else None)
              for i in want}
    views0 = list_views(env, env.queue_cf, a)
    plan = op.dry_run("move", ["--to", dest] + args, [a], [dest])
    if plan is not None:
        op.expect_equal("plan", want, plan)
    held = lock_qf(msgs[want[0]].qf) if lock else None
    try:
        op.apply("move", ["--to", dest] + args, [a])
        op.check_status(lock)
        va, vd = list_views(env, env.queue_cf, a), list_views(env, env.queue_cf, dest)
    finally:
        if held is not None:
            os.close(held)
    moved = [i for i in want if not (lock and i == want[0])]
    all0 = set(views0[0]) | set(views0[1])
    op.expect_equal("sendmail -bp (and -qQ) of DEST", moved, set(vd[0]) | set(vd[1]))
    op.expect_equal("sendmail -bp (and -qQ) of QDIR", all0 - set(moved), set(va[0]) | set(va[1]))
    both = (set(va[0]) | set(va[1])) & (set(vd[0]) | set(vd[1]))
    if both:
        op.problems.append("in both QDIR and DEST: %s" % sorted(both))
    op.expect_equal("quarantined in DEST", [i for i in moved if msgs[i].quarantined], vd[1])
    op.check_said(moved, want[:1] if lock else [])
    for i in moved:
        qfname, qf, df = files0[i]
        if (dest / qfname).exists() and (dest / qfname).read_bytes() != qf:
            op.problems.append("%s: %s changed by the move:" % (i, qfname))
            op.problems += diff_lines(qf, (dest / qfname).read_bytes(), "before", "after")
        if df is not None and (dest / ("df" + i)).exists() and (dest / ("df" + i)).read_bytes() != df:
            op.problems.append("%s: df changed by the move" % i)
        if df is not None and (a / ("df" + i)).exists():
            op.problems.append("%s: df left behind in QDIR" % i)
    if lock:
        report_skip(op, want[0], msgs[want[0]].qf)
    op.done("%d moved" % len(moved))


def lock_qf(path):
    """Holds an exclusive flock(2) on a file, as a sendmail working on it
    does (Debian's build locks with flock); returns the fd."""
    fd = os.open(str(path), os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd


def report_skip(op, qid, path):
    """The locked message is still there, untouched, and cfkit said so."""
    st, out, err = op.applied
    if not path.exists():
        op.problems.append("%s: locked, yet %s is gone" % (qid, path.name))
    if qid not in (out + err).decode("latin-1"):
        op.problems.append("%s: locked and skipped, but cfkit's output does not name it" % qid)


def plant_junk(qdir):
    """Junk sendmail would never leave (two days old) and things that must
    survive in a copy of a queue; (junk paths, survivors)."""
    qfdir, dfdir, xfdir = queue_subdirs(qdir)
    old = time.time() - TWO_DAYS
    junk, keep = [], []

    def put(path, data, age=None):
        path.write_bytes(data)
        os.chmod(path, 0o600)
        if age is not None:
            os.utime(path, (age, age))
        return path

    junk.append(put(dfdir / "dfORPHAN0000001", b"a df without qf\n", old))
    junk.append(put(qfdir / "qfZEROSIZE00001", b"", old))
    junk.append(put(qfdir / "tfSTALE0000001", b"V8\nT1\n", old))
    junk.append(put(xfdir / "xfORPHAN0000001", b"transcript of nothing\n", old))
    # in flight: a message being received has its df before its qf, a tf
    # while sendmail writes the qf
    keep.append(put(dfdir / "dfINFLIGHT00001", b"being received\n"))
    keep.append(put(qfdir / "tfINFLIGHT00001", b"V8\n"))
    # a message whose body is gone: broken, but its envelope is kept (check
    # names it, clean leaves it); -bp prints readqf()'s "cannot open" line
    real = sorted(p for p in qfdir.glob("qf*") if p.stat().st_size > 0)
    if real:
        keep.append(put(qfdir / "qfNODFCOPY00001", real[0].read_bytes()))
    return junk, keep


def check_clean(env, report, q, name, lock=False):
    """cfkit queue clean: only the junk goes; sendmail -bp lists the same
    messages (the zero-size qf, "(no control file)", no more)."""
    if not report.wanted(name):
        return
    op = Op(env, report, q, name)
    a = op.copy_main("a")
    second = make_dir(op.dir / "second")
    msgs = read_queue(a)
    # as sendmail splits an envelope across queue groups: a second message
    # (another id, the same qf lines) in a second queue directory, its df a
    # hard link to the first one's; and a message with an empty df. Real
    # messages, all of them: they stay.
    donor = next(m for m in msgs.values() if m.size > 0 and not m.quarantined)
    twin = donor.id[:-1] + ("a" if donor.id[-1] != "a" else "b")
    shutil.copy2(donor.qf, second / ("qf" + twin))
    os.link(donor.df, second / ("df" + twin))
    empty = next(m for m in msgs.values() if m.size == 0)
    junk, keep = plant_junk(a)
    keep += [donor.df, second / ("df" + twin), empty.df, empty.qf]
    views0, second0 = list_views(env, env.queue_cf, a), list_views(env, env.queue_cf, second)
    real0 = {i: m for i, m in views0[0].items() if i in msgs}
    plan = op.dry_run("clean", [], [a, second])
    if plan is not None:
        op.expect_equal("the plan's ids", {p.name[2:] for p in junk}, set(plan))
    held = lock_qf(junk[2]) if lock else None  # the tf: a sendmail is writing it
    try:
        op.apply("clean", [], [a, second])
        op.check_status(lock)
    finally:
        if held is not None:
            os.close(held)
    normal, quar = list_views(env, env.queue_cf, a)
    op.expect_equal("sendmail -bp", real0, normal)
    op.expect_equal("sendmail -bp -qQ", views0[1], quar)
    op.expect_equal("sendmail -bp of the second directory", second0[0], list_views(env, env.queue_cf, second)[0])
    locked = junk[2] if lock else None
    for p in junk:
        if p.exists() and p != locked:
            op.problems.append("junk left: %s" % p.name)
    for p in keep + ([locked] if locked else []):
        if not p.exists():
            op.problems.append("removed, but not junk: %s" % p)
    if lock:
        report_skip(op, locked.name[2:], locked)
    op.done()


def check_clean_groups(env, report, q, name):
    """cfkit queue clean on the directories of the groups queue (q2 with
    qf/ df/ xf/, the split envelope's df hard link between q* and slow)."""
    if not report.wanted(name):
        return
    op = Op(env, report, q, name)
    spool = op.dir / "spool"
    copy_queue(q.groups_spool, spool)
    cf = op.dir / "groups.cf"
    cf.write_text(pathlib.Path(env.groups_cf).read_text(encoding="latin-1")
                  .replace(str(q.groups_spool), str(spool)), encoding="latin-1")
    dirs = queue_dirs_of(None, cf)
    junk, keep = plant_junk(spool / "q2")
    keep += [m.df for d in dirs for m in read_queue(d).values() if m.size >= 0]
    before_ids = list_views(env, cf, None)
    plan = op.dry_run("clean", [], dirs)
    if plan is not None:
        op.expect_equal("the plan's ids", {p.name[2:] for p in junk}, set(plan))
    op.apply("clean", [], dirs)
    op.check_status()
    after_ids = list_views(env, cf, None)
    real0 = {i: m for i, m in before_ids[0].items() if i not in {p.name[2:] for p in junk}}
    op.expect_equal("sendmail -bp", real0, after_ids[0])
    op.expect_equal("sendmail -bp -qQ", before_ids[1], after_ids[1])
    for p in junk:
        if p.exists():
            op.problems.append("junk left: %s" % p.relative_to(spool))
    for p in keep:
        if not p.exists():
            op.problems.append("removed, but not junk: %s" % p.relative_to(spool))
    op.done()


def check_check(env, report, q, name, args, want_status, names=()):
    """cfkit queue check ARGS exits want_status and names each of names."""
    if not report.wanted(name):
        return
    st, out, err = env.cfkit_run(["queue", "check"] + [str(d) for d in args])
    text = (out + err).decode("latin-1")
    problems = ["not named: %s" % n for n in names if n not in text]
    if st != want_status:
        problems.append("exit status %s, want %d" % (st, want_status))
    if problems:
        problems += ["| " + l for l in text.strip().splitlines()[:30]]
    report.result(name, problems)


def junk_queue(env, q):
    """A copy of the main queue with junk planted (for list and check):
    the directory and the junk's file names."""
    d = env.work / "t/junk"
    d.parent.mkdir(mode=0o755, exist_ok=True)
    copy_queue(q.main, d)
    junk, _ = plant_junk(d)
    return d, [p.name for p in junk]


# ---- kill -9 ----------------------------------------------------------------

def all_ids(env, cf, *dirs):
    """For each directory, the set of ids sendmail lists (-bp and -bp -qQ)."""
    out = []
    for d in dirs:
        normal, quar = list_views(env, cf, d)
        out.append(set(normal) | set(quar))
    return out


def moved_intact(src, dst):
    """After a complete move of src into dst: every qf and df of src is in
    dst with its bytes (the problems, at most a few)."""
    problems = []
    for p in sorted(src.iterdir()):
        if p.name[:2] in ("qf", "df", "hf"):
            q = dst / p.name
            if not q.exists():
                problems.append("%s: not in DEST" % p.name)
            elif q.read_bytes() != p.read_bytes():
                problems.append("%s: changed by the move" % p.name)
    return problems[:10]


def check_kill(env, report, q, rnd):
    """Step 4: SIGKILL during cfkit queue move --apply."""
    name = "kill -9 during move"
    if not report.wanted(name):
        return
    base = make_dir(env.work / "t/kill")
    original = set(read_queue(q.big))
    # how long a whole move takes (and that it moves everything)
    cal, cal_dest = base / "cal", make_dir(base / "cal-dest")
    copy_queue(q.big, cal)
    t0 = time.monotonic()
    st, out, err = env.cfkit_run(["queue", "move", "--to", cal_dest, "--apply", cal], timeout=600)
    took = time.monotonic() - t0
    src_ids, dest_ids = all_ids(env, env.queue_cf, cal, cal_dest)
    problems = []
    if st != 0:
        problems.append("the whole move: exit status %s: %s" % (st, (out + err).decode("latin-1").strip()[:2000]))
    if src_ids or dest_ids != original:
        problems.append("the whole move: %d left in QDIR, %d of %d in DEST"
                        % (len(src_ids), len(dest_ids & original), len(original)))
    problems += moved_intact(q.big, cal_dest)
    report.result("move the big queue (%d messages)" % len(original), problems, "%.2f s" % took)
    if problems:
        return
    for run in range(KILL_RUNS):
        sub = "%s, run %d" % (name, run + 1)
        qdir, dest = base / ("q%d" % run), make_dir(base / ("dest%d" % run))
        copy_queue(q.big, qdir)
        delay = rnd.uniform(0.05, 0.8) * took
        p = subprocess.Popen([env.cfkit, "queue", "move", "--to", str(dest), "--apply", str(qdir)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env.env)
        time.sleep(delay)
        finished = p.poll() is not None
        p.send_signal(signal.SIGKILL)
        p.wait()
        problems = []
        src_ids, dest_ids = all_ids(env, env.queue_cf, qdir, dest)
        if src_ids | dest_ids != original:
            problems.append("lost: %s; new: %s" % (sorted(original - src_ids - dest_ids)[:10],
                                                   sorted((src_ids | dest_ids) - original)[:10]))
        if src_ids & dest_ids:
            problems.append("in both QDIR and DEST: %s" % sorted(src_ids & dest_ids)[:10])
        st, out, err = env.cfkit_run(["queue", "check", qdir, dest])
        check_text = (out + err).decode("latin-1").strip()
        if st not in (0, 1):
            problems.append("cfkit queue check QDIR DEST: exit status %s" % st)
        elif st == 1 and "move" not in check_text.lower():
            problems.append("cfkit queue check QDIR DEST: exit 1, but no unfinished move named")
        st2, out2, err2 = env.cfkit_run(["queue", "move", "--to", dest, "--apply", qdir], timeout=600)
        src2, dest2 = all_ids(env, env.queue_cf, qdir, dest)
        if st2 != 0 or src2 or dest2 != original:
            problems.append("the move run again: exit %s, %d left in QDIR, %d of %d in DEST: %s"
                            % (st2, len(src2), len(dest2 & original), len(original),
                               (out2 + err2).decode("latin-1").strip()[:1000]))
        problems += moved_intact(q.big, dest)
        st3, out3, err3 = env.cfkit_run(["queue", "check", qdir, dest])
        if st3 != 0:
            problems.append("cfkit queue check after the second move: exit %s" % st3)
            problems += ["| " + l for l in (out3 + err3).decode("latin-1").strip().splitlines()[:20]]
        note = "killed after %.3f s%s: %d in QDIR, %d in DEST; check said %d line(s), exit %s" % (
            delay, " (it had already finished)" if finished else "", len(src_ids), len(dest_ids),
            len(check_text.splitlines()), st)
        if problems:
            problems += ["cfkit queue check QDIR DEST right after the kill (exit %s):" % st]
            problems += ["| " + l for l in check_text.splitlines()[:20]]
        report.result(sub, problems, note)


# ---- main --------------------------------------------------------------------

def print_oracle(env, q, report):
    """--oracle-only: the self-checks, the listings, what sendmail's own
    quarantine and release change."""
    for name, good, detail in oracle_checks(q):
        report.result("oracle: " + name, [] if good else ["not in the queue files " + detail], detail)
    for title, cf, queue in (("main", env.queue_cf, q.main), ("groups", env.groups_cf, None),
                             ("empty", env.queue_cf, q.empty)):
        for opts in ((), ("-v",), ("-qQ",), ("-qQ", "-v")):
            st, out, err = bp(env, cf, queue, *opts)
            print("== sendmail -bp %s (%s): exit %d" % (" ".join(opts), title, st))
            sys.stdout.write(show(out) + show(err))
    msgs = read_queue(q.main)
    one = next(m for m in msgs.values() if not m.quarantined and m.attempts > 0)
    held = next(m for m in msgs.values() if m.quarantined)
    t = make_dir(env.work / "t/oracle")
    copy_queue(q.main, t / "q")
    env.sendmail_run(env.queue_cf, t / "q", ["-QHeld by the harness", "-qI" + one.id], check=True)
    env.sendmail_run(env.queue_cf, t / "q", ["-qQ", "-qI" + held.id, "-Q"], check=True)
    for before, after in ((one.qf, t / "q" / ("hf" + one.id)), (held.qf, t / "q" / ("qf" + held.id))):
        print("== sendmail's %s: %s -> %s" % ("quarantine" if before.name[0] == "q" else "release",
                                              before.name, after.name))
        print("\n".join(diff_lines(before.read_bytes(), after.read_bytes(), before.name, after.name)))


def run_checks(env, q, report, rnd):
    # 2. listings
    check_list(env, report, "main", env.queue_cf, q.main)
    check_list(env, report, "groups", env.groups_cf, None)
    check_list(env, report, "groups q*", env.groups_cf, str(q.groups_spool / "q*"), LIST_VARIANTS[:1])
    check_list(env, report, "big", env.queue_cf, q.big, LIST_VARIANTS[:2])
    check_list(env, report, "empty", env.queue_cf, q.empty, LIST_VARIANTS[:3])
    junk, junk_names = junk_queue(env, q)
    check_list(env, report, "junk", env.queue_cf, junk, LIST_VARIANTS[:2])
    msgs = read_queue(q.main)
    victim = next(m for m in msgs.values() if not m.quarantined and m.attempts > 0)
    fd = lock_qf(victim.qf)
    try:
        if listed(bp(env, env.queue_cf, q.main)[1].decode("latin-1")).get(victim.id) != "*":
            raise HarnessError("sendmail -bp does not mark %s, locked with flock(2), with *" % victim.id)
        check_list(env, report, "main, %s locked" % victim.id, env.queue_cf, q.main, LIST_VARIANTS[:2])
    finally:
        os.close(fd)

    # 3. operations
    quarantined = sorted(m.id for m in msgs.values() if m.quarantined)
    check_quarantine(env, report, q, "quarantine --sender alice@", ["--sender", "alice@"], "Held by cfkit")
    check_quarantine(env, report, q, "quarantine --id of a quarantined message (none)",
                     ["--id", quarantined[0]], "A new reason", none=True)
    check_quarantine(env, report, q, "quarantine --larger-than 1k, one locked", ["--larger-than", "1k"],
                     "Big ones", lock=True)
    check_release(env, report, q, "release --id", ["--id", quarantined[-1]])
    check_release(env, report, q, "release --recipient carol@", ["--recipient", "carol@"])
    check_move(env, report, q, "move --larger-than 1k", ["--larger-than", "1k"])
    check_move(env, report, q, "move --quarantined", ["--quarantined"])
    check_move(env, report, q, "move --attempts-over 0", ["--attempts-over", "0"])
    check_move(env, report, q, "move --recipient bob@, one locked", ["--recipient", "bob@"], lock=True)
    check_move(env, report, q, "move --older-than 1s", ["--older-than", "1s"])
    check_clean(env, report, q, "clean")
    check_clean(env, report, q, "clean, a stale tf locked", lock=True)
    check_clean_groups(env, report, q, "clean groups (q1, q2 with subdirectories, slow)")
    check_check(env, report, q, "check main", [q.main], 0)
    check_check(env, report, q, "check big", [q.big], 0)
    check_check(env, report, q, "check groups", queue_dirs_of(None, env.groups_cf), 0)
    check_check(env, report, q, "check groups --config", ["--config", env.groups_cf], 0)
    check_check(env, report, q, "check junk", [junk], 1, junk_names)

    # 4. kill -9
    check_kill(env, report, q, rnd)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Real sendmail queues: sendmail -bp versus cfkit queue list, "
                                 "and cfkit's queue operations checked by sendmail.")
    ap.add_argument("--cfkit", default=str(ROOT / "build/cfkit"))
    ap.add_argument("--oracle", help="the unpacked sendmail (default: tools/oracle/fetch-sendmail.sh)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--oracle-only", action="store_true",
                    help="only make the queues with sendmail, check what is in them and print its listings")
    ap.add_argument("--seed", type=int, help="the kill -9 delays' random seed (default: the time)")
    ap.add_argument("--only", help="run only the checks whose names contain this")
    ap.add_argument("--inner-play", action="store_true", help=argparse.SUPPRESS)
    for opt in ("--work", "--switch", "--cf", "--queue", "--script"):
        ap.add_argument(opt, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.inner_play:
        try:
            return inner_play(args)
        except (RuntimeError, OSError, daemon_session.ScriptError) as e:
            print("queuediff: %s" % e, file=sys.stderr)
            return 2
    if os.geteuid() != 0:
        print("queuediff: needs root (namespaces: host name, network, mounts)", file=sys.stderr)
        return 2
    t_start = time.monotonic()
    oracle = pathlib.Path(args.oracle).resolve() if args.oracle else pathlib.Path(daemon_session.default_oracle())
    cfkit = str(pathlib.Path(args.cfkit).resolve())
    seed = args.seed if args.seed is not None else int(time.time())
    work = workdir.make("queuediff-")
    report = Report(args.only)
    try:
        env = Env(oracle, work, cfkit)
        q = make_queues(env, lambda s: print("# " + s, flush=True))
        if args.oracle_only:
            print_oracle(env, q, report)
        else:
            print("# kill -9 seed %d" % seed, flush=True)
            run_checks(env, q, report, random.Random(seed))
    except (HarnessError, RuntimeError, OSError, subprocess.SubprocessError) as e:
        print("queuediff: %s" % e, file=sys.stderr)
        return 2
    finally:
        if args.keep:
            print("queuediff: work directory %s" % work, file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed (%.1f s)" % (report.passed, report.failed, time.monotonic() - t_start))
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
