#!/usr/bin/env python3
"""The policy generator's proof against the real sendmail 8.17.

    tools/oracle/gendiff.py [--cfkit build/cfkit] [--oracle DIR] [--keep DIR]

For each run below (a sample policy, the .mc it goes into, and optionally a
hand-written .mc that must answer the same):

  1. `cfkit gen SAMPLE --mc BASE --tests CASES` writes the m4 block and the
     cases; the block is spliced after BASE (testcases/gen/*.mc, `@DIR@` is
     the work directory) and expanded with m4 and the oracle's sendmail-cf;
  2. the real sendmail loads the .cf (`-bt`, `/quit`): any output besides
     the test-mode banner (a configuration error, a warning) fails;
  3. `cfkit test` runs the cases against the .cf (and against the
     hand-written .mc, when there is one): every expectation must hold;
  4. tools/oracle/sessiondiff.py plays every case against the real daemon
     and against `cfkit session`: the replies must be identical. `map access`
     lines become the daemon's access.db; cases that need AUTH, a
     certificate or a $=R entry of their own (`auth`, `macro`, `class`
     lines) cannot be given to a daemon and are counted as skipped.

Exit status 1 if anything differs or fails, 2 on a harness failure.
Running the daemon needs root (network and mount namespaces).
"""

import argparse
import os
import pathlib
import re
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "tools/oracle"))
import sessiondiff  # noqa: E402  (prepare(): .mc to .cf with maps and aliases)
import workdir  # noqa: E402

GEN = ROOT / "testcases/gen"
SAMPLES = ROOT / "rulesets/samples"
HOST = "mail.example.com"

# (sample, base .mc, hand-written .mc that must give the same replies, or None)
RUNS = [
    ("seed", "base", "seed-hand"),
    ("seed", "base-delay", "seed-hand-delay"),
    ("seed-limits-closed", "base", None),
    ("seed-limits-closed", "base-delay", None),
    ("strict", "base", None),
    ("strict", "base-delay", None),
]


def run(argv, **kw):
    return subprocess.run([str(a) for a in argv], capture_output=True, text=True, **kw)


def session_tree(cases, dest, confs):
    """A sessiondiff directory: CONF.mc for each of `confs` ({name: mc text}),
    CONF.access from the cases' `map access` lines, CONF/*.session."""
    dest.mkdir(parents=True)
    entries = []
    scripts = {}
    for case in sorted(cases.glob("*.case")):
        kept = []
        for line in case.read_text().splitlines():
            m = re.match(r"map\s+access\s+(\S+)\s+(.*)$", line)
            if m:
                entries.append("%s\t%s" % (m.group(1), m.group(2)))
            else:
                kept.append(line)
        scripts[case.stem + ".session"] = "\n".join(kept) + "\n"
    for name, text in confs.items():
        (dest / (name + ".mc")).write_text(text)
        (dest / (name + ".access")).write_text("".join(e + "\n" for e in entries) or "# none\n")
        (dest / name).mkdir()
        for fname, text_ in scripts.items():
            (dest / name / fname).write_text(text_)


def loads_cleanly(cf, oracle):
    """The real sendmail's -bt output for `/quit`: only the banner, or the problem."""
    sm = oracle / "root/usr/libexec/sendmail/sendmail"
    ss = oracle / "ss"
    r = run(["unshare", "-u", "sh", "-c", 'hostname "$0" && exec "$@"', HOST, sm, "-bt", "-C", cf,
             "-OServiceSwitchFile=%s" % ss], input="/quit\n", timeout=120)
    want = "ADDRESS TEST MODE (ruleset 3 NOT automatically invoked)\nEnter <ruleset> <address>\n> "
    if r.returncode == 0 and r.stdout == want and not r.stderr:
        return None
    return "exit %d\n%s%s" % (r.returncode, r.stdout, r.stderr)


def one(sample, base, hand, args, oracle, work):
    name = "%s+%s" % (sample, base)
    w = work / name
    w.mkdir()
    base_text = (GEN / (base + ".mc")).read_text()
    (w / "base.mc").write_text(base_text.replace("@DIR@", str(w)))
    cases = w / "cases"
    cfdir = oracle / "root/usr/share/sendmail/cf"
    g = run([args.cfkit, "gen", SAMPLES / (sample + ".json"), "--mc", w / "base.mc", "--cf-dir", cfdir,
             "--tests", cases, "--hostname", HOST])
    if g.returncode != 0:
        return False, ["FAIL %s: cfkit gen exit %d" % (name, g.returncode)] + g.stderr.splitlines()
    lines = []
    ok = True
    confs = {"gen": base_text + g.stdout}
    if hand:
        confs["hand"] = (GEN / (hand + ".mc")).read_text()
    tree = w / "sessions"
    session_tree(cases, tree, confs)
    # 2 and 3: load the generated .cf in sendmail; the cases' expectations in cfkit
    for conf in confs:
        pw = w / ("prep-" + conf)
        cf = sessiondiff.prepare(tree / (conf + ".mc"), oracle, pw)
        if conf == "gen":
            problem = loads_cleanly(cf, oracle)
            if problem:
                ok = False
                lines += ["FAIL %s: sendmail -bt does not load the generated .cf cleanly:" % name]
                lines += ["  " + l for l in problem.splitlines()]
        t = run([args.cfkit, "test", cf, cases, "--hostname", HOST, "--no-interfaces",
                 "--hosts-file", cases / "hosts"])
        summary = t.stdout.strip().splitlines()[-1] if t.stdout.strip() else "no output"
        if t.returncode != 0:
            ok = False
            lines += ["FAIL %s: cfkit test against the %s config: %s" % (name, conf, summary)]
            lines += ["  " + l for l in t.stdout.splitlines() if not l.startswith("ok ")]
            lines += ["  " + l for l in t.stderr.splitlines()]
        else:
            lines += ["ok   %s: cfkit test against the %s config: %s" % (name, conf, summary)]
    # 4: the daemon and cfkit session, case by case
    d = run([sys.executable, ROOT / "tools/oracle/sessiondiff.py", "--cfkit", args.cfkit, "--oracle", oracle,
             tree], timeout=3600)
    summary = d.stdout.strip().splitlines()[-1] if d.stdout.strip() else "no output"
    if d.returncode != 0:
        ok = False
        lines += ["FAIL %s: the daemon and cfkit session differ: %s" % (name, summary)]
        lines += ["  " + l for l in d.stdout.splitlines() if not l.startswith("ok ")]
        lines += ["  " + l for l in d.stderr.splitlines()]
    else:
        lines += ["ok   %s: daemon vs cfkit session: %s" % (name, summary)]
    return ok, lines


def main():
    ap = argparse.ArgumentParser(description="Generate each sample policy's rules and cases, load them in the "
                                 "real sendmail and play the cases against the daemon and cfkit.")
    ap.add_argument("--cfkit", default=str(ROOT / "build/cfkit"))
    ap.add_argument("--oracle", help="the unpacked sendmail (default: tools/oracle/fetch-sendmail.sh)")
    ap.add_argument("--keep", help="work in this directory (made; kept afterwards) instead of a temporary one")
    args = ap.parse_args()
    args.cfkit = str(pathlib.Path(args.cfkit).resolve())
    oracle = pathlib.Path(args.oracle).resolve() if args.oracle else pathlib.Path(sessiondiff.daemon_session.default_oracle())
    if args.keep:
        work = pathlib.Path(args.keep).resolve()
        work.mkdir(parents=True)
        os.chmod(work, 0o755)
    else:
        work = workdir.make("cfkit-gendiff-")  # not in the checkout: see workdir.py
    failed = 0
    try:
        for i, (sample, mc, hand) in enumerate(RUNS, 1):
            print("[%d/%d] %s on %s%s" % (i, len(RUNS), sample, mc, " and " + hand if hand else ""),
                  file=sys.stderr, flush=True)
            ok, lines = one(sample, mc, hand, args, oracle, work)
            failed += not ok
            print("\n".join(lines), flush=True)
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
        print("gendiff: %s" % e, file=sys.stderr)
        return 2
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print("%d runs, %d failed" % (len(RUNS), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
