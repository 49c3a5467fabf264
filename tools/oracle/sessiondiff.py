#!/usr/bin/env python3
"""Session differential: the real sendmail 8.17 daemon versus `cfkit session`.

    tools/oracle/sessiondiff.py [--cfkit build/cfkit] [--oracle DIR] [--jobs N]
                         [--oracle-only | --expected] [--save-expected] [DIR|FILE ...]

Default DIR: testcases/sessions/diff. There, each CONF.mc goes with the
scripts CONF/*.session. For each CONF the .mc is expanded once (m4 with the
oracle's sendmail-cf) in a work directory WORK, after `@DIR@` in it is
replaced by WORK's absolute path; beside it:
  CONF.access   makemap input: WORK/access.db (the oracle's `makemap hash`)
  CONF.aliases  WORK/aliases, built with the oracle's newaliases
                (default: "postmaster: root")
  CONF.NAME     any other file is copied to WORK/NAME
If CONF.mc names @CERTS@, tools/oracle/make_certs.py makes certificates in
WORK/certs (fresh keys each run), @CERTS@ is replaced by that directory, and
each script of CONF is copied to WORK/NAME.session and both programs are
given the copy (so `starttls cert=certs/good.pem` names the run's files).
Each script is played against the real daemon (tools/oracle/daemon_session.py, in
private namespaces with a fake DNS) and given to
`CFKIT session WORK/CONF.cf SCRIPT --replies --hostname mail.example.com
--no-interfaces`; both outputs are masked (see MASKS: the greeting's date,
queue ids, {cert_md5} fingerprints, CRAM-MD5 challenges) and compared.

Arguments may be a directory of CONF.mc files, a CONF directory of scripts,
or single .session files. One line a script (ok, FAIL, skip (reason)), a
unified diff under each failure, then "N identical, N different, N skipped";
exit status 1 if any differ, 2 on a harness failure.

  --oracle-only    print the daemon's transcript of each script (no cfkit)
  --expected       compare cfkit with the saved SCRIPT.expected files instead
                   of running the daemon (needs no root)
  --save-expected  write each daemon transcript to SCRIPT.expected (raw)

Running the daemon needs root (network and mount namespaces).
"""

import argparse
import concurrent.futures
import difflib
import os
import pathlib
import re
import shutil
import subprocess
import sys
import threading

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
HOST = "mail.example.com"
DEFAULT_DIR = ROOT / "testcases/sessions/diff"
DAEMON = ROOT / "tools/oracle/daemon_session.py"

sys.path.insert(0, str(ROOT / "tools/oracle"))
import daemon_session  # noqa: E402  (the script parser: skip reasons)
import make_certs  # noqa: E402
import workdir  # noqa: E402

# ---- masks -------------------------------------------------------------------
# Applied to both transcripts before comparing; everything else is compared
# byte for byte.
MASKS = [
    # (a) The greeting's date: "220 mail.example.com ESMTP Sendmail
    #     8.17.1.9/8.17.1.9; Tue, 24 Nov 2026 04:03:44 GMT" ($b in
    #     SmtpGreetingMessage). Only the first line (the greeting).
    ("greeting date", re.compile(r"\A(2\d\d[ -][^\n]*?); [^\n]*"), r"\1; DATE"),
    # (b) The queue id (date-based letters plus the pid of the session's
    #     process) in "250 2.0.0 6AO43oM1012331 Message accepted for delivery".
    ("queue id", re.compile(r"^(250[ -]2\.0\.0 )\S+( Message accepted for delivery)$", re.M),
     r"\1QUEUEID\2"),
    # (c) The same queue id where sendmail names the envelope in other
    #     replies to the message: "... queued as QUEUEID", "QUEUEID: ...".
    ("queued as", re.compile(r"(queued as )[0-9A-Za-z]{14}\b"), r"\1QUEUEID"),
    # (d) A certificate's MD5 fingerprint ({cert_md5}: "3A:9F:...", 16
    #     bytes): make_certs.py makes fresh keys for every run. Both
    #     programs see the same certificates in one run, so only the saved
    #     .expected files need it.
    ("cert md5", re.compile(r"\b(?:[0-9A-F]{2}:){15}[0-9A-F]{2}\b"), "CERT_MD5"),
    # (e) CRAM-MD5's challenge, "<random.time@host>" in base64 (it starts
    #     "PD", the base64 of "<"): random in both programs.
    ("cram-md5 challenge", re.compile(r"^334 PD[A-Za-z0-9+/]*={0,2}$", re.M), "334 CHALLENGE"),
]


def mask(text):
    for _name, rx, repl in MASKS:
        text = rx.sub(repl, text)
    return text


# ---- the configs ---------------------------------------------------------------

def run(argv, **kw):
    r = subprocess.run(argv, capture_output=True, **kw)
    if r.returncode != 0:
        err = r.stderr.decode("latin-1", "replace") if isinstance(r.stderr, bytes) else r.stderr
        raise RuntimeError("%s: exit status %d: %s" % (" ".join(map(str, argv)), r.returncode, err.strip()))
    return r


def prepare(mc, oracle, work, queues=None):
    """Expands CONF.mc into WORK/CONF.cf with its maps; returns the .cf path.

    `queues`: for a config that names its own queue directories (below
    @DIR@; queue groups must lie below QueueDirectory): those directories,
    relative to WORK, are made and newaliases runs with the .cf's
    QueueDirectory (tools/oracle/queuediff.py). Default: WORK/mqueue, given
    to newaliases with -OQueueDirectory."""
    usr = oracle / "root/usr"
    cfdir = usr / "share/sendmail/cf"
    sendmail = usr / "libexec/sendmail/sendmail"
    makemap = usr / "libexec/sendmail/makemap"
    work.mkdir(mode=0o755)
    conf = mc.stem
    text = mc.read_text()
    if "@CERTS@" in text:  # certificates for STARTTLS: WORK/certs (tools/oracle/make_certs.py)
        make_certs.make(work / "certs")
        text = text.replace("@CERTS@", str(work / "certs"))
    text = text.replace("@DIR@", str(work))
    (work / mc.name).write_text(text)
    cf = work / (conf + ".cf")
    cf.write_bytes(run(["m4", "-D_CF_DIR_=%s/" % cfdir, str(cfdir / "m4/cf.m4"), str(work / mc.name)]).stdout)
    for extra in sorted(mc.parent.glob(conf + ".*")):
        suffix = extra.name[len(conf) + 1:]
        if suffix in ("mc", "aliases") or extra.is_dir():
            continue
        if suffix == "access":
            with open(extra, "rb") as f:
                run([str(makemap), "-C", str(cf), "hash", str(work / "access")], stdin=f)
        else:
            shutil.copyfile(extra, work / suffix)
    aliases = mc.parent / (conf + ".aliases")
    (work / "aliases").write_text(aliases.read_text() if aliases.exists() else "postmaster: root\n")
    if queues is None:
        q = work / "mqueue"
        q.mkdir(mode=0o700)
        qopt = ["-OQueueDirectory=" + str(q)]
    else:
        for d in queues:  # each level 0700, whatever the umask
            path = work
            for part in pathlib.PurePath(d).parts:
                path = path / part
                if not path.is_dir():
                    path.mkdir(mode=0o700)
                    os.chmod(path, 0o700)
        qopt = []
    # newaliases, as the daemon wants it (with the "@" key it waits for);
    # under `unshare -u -n` with the daemon's host name, or sendmail spends a
    # minute trying to qualify this machine's name in DNS
    if os.geteuid() == 0:
        run(["unshare", "-u", "-n", "sh", "-c", 'hostname "$0" && exec "$@"', HOST,
             str(sendmail), "-C", str(cf)] + qopt + ["-OAliasFile=" + str(work / "aliases"), "-bi"])
    else:  # --expected without root: makemap, as newaliases stores it (NUL-terminated keys)
        pairs = [l.split(":", 1) for l in (work / "aliases").read_text().splitlines()
                 if ":" in l and not l.startswith("#")]
        text = "".join("%s\t%s\n" % (k.strip().lower(), v.strip()) for k, v in pairs) + "@\t@\n"
        run([str(makemap), "-C", str(cf), "-N", "hash", str(work / "aliases")], input=text.encode())
    return cf


# ---- the scripts -------------------------------------------------------------

class Case:
    def __init__(self, mc, script):
        self.mc = mc
        self.script = script
        self.name = "%s/%s" % (mc.stem, script.name)
        self.expected = script.with_suffix(".expected")

    def played(self, cf):
        """The script file both programs are given: for a config with
        certificates (@CERTS@) a copy in WORK beside certs/, so that
        `starttls cert=certs/good.pem` names the run's files; else the script."""
        if "@CERTS@" not in self.mc.read_text():
            return self.script
        copy = pathlib.Path(cf).parent / self.script.name
        shutil.copyfile(self.script, copy)
        return copy


def collect(paths):
    cases = []
    for p in paths:
        p = pathlib.Path(p).resolve()
        if p.is_file() and p.suffix == ".session":
            mcs = [p.parent.parent / (p.parent.name + ".mc")]
            scripts = {mcs[0]: [p]}
        elif p.is_dir() and (p.parent / (p.name + ".mc")).is_file():
            mcs = [p.parent / (p.name + ".mc")]
            scripts = {mcs[0]: sorted(p.glob("*.session"))}
        elif p.is_dir():
            mcs = sorted(p.glob("*.mc"))
            scripts = {mc: sorted((p / mc.stem).glob("*.session")) for mc in mcs}
        else:
            raise RuntimeError("%s: not a .session file, a directory of CONF.mc files or a CONF directory" % p)
        for mc in mcs:
            if not mc.is_file():
                raise RuntimeError("%s: no config %s for it" % (p, mc))
            cases += [Case(mc, s) for s in scripts[mc]]
    return cases


def run_daemon(case, cf, oracle):
    """(transcript, error)"""
    try:
        r = subprocess.run([sys.executable, str(DAEMON), str(cf), str(case.played(cf)), "--oracle", str(oracle)],
                           capture_output=True, timeout=300)
    except subprocess.TimeoutExpired:
        return None, "the daemon run took more than 300 s"
    if r.returncode != 0:
        return None, r.stderr.decode("latin-1").strip() or "exit status %d" % r.returncode
    return r.stdout.decode("latin-1"), None


def run_cfkit(cfkit, case, cf):
    """(transcript, error text or None, stderr)"""
    # the daemon's /etc/hosts (tools/oracle/daemon_session.py): its own names join $=w
    hosts = pathlib.Path(cf).parent / ("hosts." + re.sub(r"[^A-Za-z0-9_.-]", "_", case.name))
    hosts.write_text("127.0.0.1\t%s localhost\n" % HOST)
    argv = [cfkit, "session", str(cf), str(case.played(cf)), "--replies", "--hostname", HOST, "--no-interfaces",
            "--hosts-file", str(hosts)]
    try:
        r = subprocess.run(argv, capture_output=True, timeout=120)
    except FileNotFoundError:
        return "", "cannot run %s" % cfkit, ""
    except subprocess.TimeoutExpired:
        return "", "cfkit session took more than 120 s", ""
    err = r.stderr.decode("latin-1")
    if r.returncode != 0:
        return r.stdout.decode("latin-1"), "cfkit session: exit status %d" % r.returncode, err
    return r.stdout.decode("latin-1"), None, err


def batch(cases, cf, args):
    """--batch: every script of one config through one `cfkit session`
    process, in order and then in reverse, so that ruleset runs remembered
    in one session (engine/rewrite/memo.hpp) are replayed in others with
    other clients, names and map entries; each transcript is compared with
    the saved daemon transcript. Returns [(status, report lines)]."""
    out, played = [], []
    for case in cases:
        try:
            script = daemon_session.parse_script(case.script.read_text(encoding="latin-1"))
        except daemon_session.ScriptError as e:
            out.append(("FAIL", ["FAIL %s: bad script: %s" % (case.name, e)]))
            continue
        if script.skip:
            out.append(("skip", ["skip %s (%s)" % (case.name, script.skip)]))
        elif not case.expected.exists():
            out.append(("skip", ["skip %s (no %s)" % (case.name, case.expected.name)]))
        else:
            played.append(case)
    if not played:
        return out
    order = played + played[::-1]
    hosts = pathlib.Path(cf).parent / "hosts.batch"
    hosts.write_text("127.0.0.1\t%s localhost\n" % HOST)
    argv = [args.cfkit, "session", str(cf)] + [str(c.played(cf)) for c in order] + \
        ["--replies", "--hostname", HOST, "--no-interfaces", "--hosts-file", str(hosts)]
    r = subprocess.run(argv, capture_output=True, timeout=600)
    text = r.stdout.decode("latin-1")
    chunks = re.split(r"(?:^|\n)==> .* <==\n", text)[1:]
    if r.returncode != 0 or len(chunks) != len(order):
        return out + [("FAIL", ["FAIL %s (batch of %d): exit status %d, %d transcripts"
                                % (cf.name, len(order), r.returncode, len(chunks))]
                       + ["  cfkit stderr: " + l for l in r.stderr.decode("latin-1").splitlines()])]
    for i, (case, got) in enumerate(zip(order, chunks)):
        want = case.expected.read_text(encoding="latin-1")
        w, g = mask(want), mask(got)
        tag = "%s (batch, %s)" % (case.name, "first pass" if i < len(played) else "second pass, reversed")
        if w == g:
            out.append(("ok", ["ok   %s (%d lines)" % (tag, w.count("\n"))]))
        else:
            out.append(("FAIL", ["FAIL %s" % tag] + [l.rstrip("\n") for l in difflib.unified_diff(
                w.splitlines(True), g.splitlines(True), "sendmail", "cfkit", lineterm="\n")]))
    return out


def check(case, cf, args, oracle):
    """Returns (status, report lines); status is ok, FAIL, skip or show."""
    try:
        script = daemon_session.parse_script(case.script.read_text(encoding="latin-1"))
    except daemon_session.ScriptError as e:
        return "FAIL", ["FAIL %s: bad script: %s" % (case.name, e)]
    if script.skip:
        return "skip", ["skip %s (%s)" % (case.name, script.skip)]
    notes = []
    if args.expected:
        if not case.expected.exists():
            return "skip", ["skip %s (no %s)" % (case.name, case.expected.name)]
        want = case.expected.read_text(encoding="latin-1")
    else:
        want, err = run_daemon(case, cf, oracle)
        if err:
            return "FAIL", ["FAIL %s: the daemon run failed:" % case.name] + ["  " + l for l in err.splitlines()]
        if args.save_expected:
            case.expected.write_text(want, encoding="latin-1")
        elif case.expected.exists() and mask(case.expected.read_text(encoding="latin-1")) != mask(want):
            notes.append("  note: the daemon's transcript differs from %s (--save-expected to update)"
                         % case.expected.name)
    if args.oracle_only:
        return "show", ["== %s" % case.name] + want.splitlines() + notes
    got, err, stderr = run_cfkit(args.cfkit, case, cf)
    w, g = mask(want), mask(got)
    if w == g and not err:
        return "ok", ["ok   %s (%d lines)" % (case.name, w.count("\n"))] + notes
    out = ["FAIL %s" % case.name + (": " + err if err else "")]
    out += [l.rstrip("\n") for l in difflib.unified_diff(w.splitlines(True), g.splitlines(True),
                                                         "sendmail", "cfkit", lineterm="\n")]
    if stderr.strip():
        out += ["  cfkit stderr: " + l for l in stderr.strip().splitlines()]
    return "FAIL", out + notes


def main():
    ap = argparse.ArgumentParser(description="Play session scripts against the real sendmail daemon and "
                                 "against cfkit session; compare the replies.")
    ap.add_argument("--cfkit", default=str(ROOT / "build/cfkit"))
    ap.add_argument("--oracle", help="the unpacked sendmail (default: tools/oracle/fetch-sendmail.sh)")
    ap.add_argument("--jobs", "-j", type=int, default=1, help="scripts run in parallel")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--oracle-only", action="store_true", help="print the daemon's transcripts only")
    mode.add_argument("--expected", action="store_true",
                      help="compare cfkit with the saved .expected files (no daemon)")
    ap.add_argument("--save-expected", action="store_true", help="write SCRIPT.expected from the daemon")
    ap.add_argument("--batch", action="store_true",
                    help="with --expected: each config's scripts through one cfkit process, twice "
                         "(in order, then reversed), as cfkit test runs many sessions")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--show", action="store_true", help=argparse.SUPPRESS)  # old flag: = --oracle-only
    ap.add_argument("paths", nargs="*", metavar="DIR|FILE")
    args = ap.parse_args()
    if args.show and not args.expected:
        args.oracle_only = True
    if args.save_expected and args.expected:
        ap.error("--save-expected needs the daemon; not with --expected")
    if args.batch and not args.expected:
        ap.error("--batch compares with the saved transcripts: use it with --expected")
    if not args.expected and os.geteuid() != 0:
        print("sessiondiff: needs root to run the real daemon (network and mount namespaces); "
              "--expected compares with the saved transcripts without it", file=sys.stderr)
        return 2
    try:
        cases = collect(args.paths or [DEFAULT_DIR])
        if args.oracle:
            oracle = pathlib.Path(args.oracle).resolve()
        else:
            oracle = pathlib.Path(daemon_session.default_oracle())
    except RuntimeError as e:
        print("sessiondiff: %s" % e, file=sys.stderr)
        return 2
    base = workdir.make("sessiondiff-")
    cfs, lock = {}, threading.Lock()
    counts = {"ok": 0, "FAIL": 0, "skip": 0, "show": 0}

    def one(case):
        with lock:  # each config once, before its first script
            if case.mc not in cfs:
                try:
                    cfs[case.mc] = prepare(case.mc, oracle, base / case.mc.stem)
                except (RuntimeError, OSError) as e:
                    cfs[case.mc] = e
        cf = cfs[case.mc]
        if isinstance(cf, Exception):
            return "FAIL", ["FAIL %s: cannot build %s: %s" % (case.name, case.mc.name, cf)]
        return check(case, cf, args, oracle)

    def per_config(mc):
        try:
            cf = prepare(mc, oracle, base / mc.stem)
        except (RuntimeError, OSError) as e:
            return [("FAIL", ["FAIL %s: cannot build %s: %s" % (mc.name, mc.name, e)])]
        return batch([c for c in cases if c.mc == mc], cf, args)

    try:
        if args.batch:
            for mc in dict.fromkeys(c.mc for c in cases):
                for status, lines in per_config(mc):
                    counts[status] += 1
                    print("\n".join(lines), flush=True)
            return finish(args, counts)
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            for status, lines in pool.map(one, cases):
                counts[status] += 1
                print("\n".join(lines), flush=True)
    finally:
        if args.keep:
            print("sessiondiff: work directory %s" % base, file=sys.stderr)
        else:
            shutil.rmtree(base, ignore_errors=True)
    return finish(args, counts)


def finish(args, counts):
    if args.oracle_only:
        print("%d transcripts, %d failed, %d skipped" % (counts["show"], counts["FAIL"], counts["skip"]))
    else:
        print("%d identical, %d different, %d skipped" % (counts["ok"], counts["FAIL"], counts["skip"]))
    return 1 if counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
