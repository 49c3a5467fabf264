#!/usr/bin/env python3
"""How long `cfkit gen` takes on every sample policy (the goal: under 50 ms).

    tools/bench_gen.py [--cfkit build/cfkit] [--runs 20] [--cf-dir DIR]

Each sample is generated with its tests (--tests into a temporary
directory), `--runs` times, as a whole process; the median and the slowest
run are printed. With --cf-dir (sendmail-cf's cf directory) each is also
generated with `--mc testcases/gen/base.mc`, which expands the .mc with m4
and compiles it first. Exit status 1 when a median is over 50 ms.
"""
import argparse
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
GOAL = 0.050


def timed(argv, runs):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        r = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - t)
        if r.returncode != 0:
            raise SystemExit("bench_gen: %s: exit %d: %s" % (" ".join(argv), r.returncode, r.stderr.decode()))
    return statistics.median(times), max(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cfkit", default=str(ROOT / "build/cfkit"))
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--cf-dir", help="sendmail-cf's cf directory: also time --mc testcases/gen/base.mc")
    args = ap.parse_args()
    over = False
    with tempfile.TemporaryDirectory() as tmp:
        for sample in sorted((ROOT / "rulesets/samples").glob("*.json")):
            variants = [("", [])]
            if args.cf_dir:
                variants.append((" --mc", ["--mc", str(ROOT / "testcases/gen/base.mc"), "--cf-dir", args.cf_dir]))
            for label, extra in variants:
                argv = [args.cfkit, "gen", str(sample), "--tests", str(pathlib.Path(tmp) / sample.stem)] + extra
                med, worst = timed(argv, args.runs)
                over = over or med > GOAL
                print("%-24s%-6s median %6.1f ms, slowest %6.1f ms%s" % (
                    sample.name, label, med * 1000, worst * 1000, "  OVER 50 ms" if med > GOAL else ""))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
