#!/usr/bin/env python3
"""Fuzzing against sendmail: each command of a generated batch through real
`sendmail -bt` and `cfkit bt`, compared command by command.

  tools/oracle/fuzzdiff.py [--cfkit build/cfkit] CONFIG.cf GENERATOR SEED N

GENERATOR is a script printing N commands for SEED (such as
testcases/diff/fuzz-parse/gen.py or gen_check.py). A marker macro printed
after every command splits both outputs, so a difference is pinned to the
command that caused it (state carried from earlier commands included).
Needs root, as difftest does. Exit status 1 when any command differs.
"""
import argparse
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "tools/oracle"))
import difftest  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cfkit", default=str(ROOT / "build/cfkit"))
    ap.add_argument("--show", type=int, default=5, help="differing commands to print")
    ap.add_argument("config")
    ap.add_argument("generator")
    ap.add_argument("seed")
    ap.add_argument("n")
    args = ap.parse_args()
    cf = pathlib.Path(args.config).resolve()
    if not cf.exists():
        print("fuzzdiff: %s: no such file" % cf, file=sys.stderr)
        return 2
    gen = subprocess.run([sys.executable, args.generator, args.seed, args.n], capture_output=True)
    if gen.returncode != 0:
        print("fuzzdiff: %s failed: %s" % (args.generator, gen.stderr.decode(errors="replace")), file=sys.stderr)
        return 2
    cmds = [c for c in gen.stdout.split(b"\n") if c]
    data = b".D{mark}@@MARK@@\n" + b"".join(c + b"\n${mark}\n" for c in cmds)
    oracle = difftest.oracle_dir()
    sm = [str(oracle / "root/usr/libexec/sendmail/sendmail"), "-bt", "-C", cf.name,
          "-OServiceSwitchFile=" + str(oracle / "ss")]
    ck = [str(pathlib.Path(args.cfkit).resolve()), "bt", "-C", cf.name]
    want = difftest.run_in_uts(sm, cf.parent, data, timeout=1800)
    got = difftest.run_in_uts(ck, cf.parent, data, timeout=1800)
    if want[0] is None or got[0] is None:
        print("fuzzdiff: timed out", file=sys.stderr)
        return 2
    # piece k of the split output is what command k printed (piece 0 also
    # holds the banner)
    ws, gs = want[0].split(b"@@MARK@@"), got[0].split(b"@@MARK@@")
    bad = 0
    for i, c in enumerate(cmds):
        if i >= len(ws) - 1 or i >= len(gs) - 1:
            print("fuzzdiff: output ends early at command %d (sendmail exit %s)" % (i, want[2]))
            bad += 1
            break
        if ws[i] != gs[i]:
            bad += 1
            if bad <= args.show:
                print("DIFF %r\n  sendmail: %r\n  cfkit:    %r" % (c[:200], ws[i][-400:], gs[i][-400:]))
    print("seed %s: %d commands, %d differ; exit status sendmail %s, cfkit %s"
          % (args.seed, len(cmds), bad, want[2], got[2]))
    return 1 if bad or want[2] != got[2] else 0


if __name__ == "__main__":
    sys.exit(main())
