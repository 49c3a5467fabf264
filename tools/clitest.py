#!/usr/bin/env python3
"""Golden tests for cfkit's own output formats (not sendmail's: those are
checked against sendmail itself by difftest.py).

Each case is testcases/cli/NAME.args (the arguments, one per line; an
optional NAME.stdin is fed as input) and NAME.golden (exit status, stdout,
stderr). `--update` rewrites the golden files; review them with git diff.

  tools/clitest.py [--cfkit build/cfkit] [--update]
"""

import argparse
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CASES = ROOT / "testcases/cli"


def run(cfkit, case):
    args = [a for a in case.read_text().splitlines() if a]
    stdin = case.with_suffix(".stdin")
    data = stdin.read_bytes() if stdin.exists() else b""
    p = subprocess.run([str(cfkit)] + args, cwd=ROOT, input=data, capture_output=True)
    return ("exit %d\n--- stdout\n%s--- stderr\n%s" % (p.returncode, p.stdout.decode("latin-1"),
                                                      p.stderr.decode("latin-1")))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cfkit", default=str(ROOT / "build/cfkit"))
    ap.add_argument("--update", action="store_true")
    args = ap.parse_args()
    cfkit = pathlib.Path(args.cfkit).resolve()
    passed = failed = 0
    for case in sorted(CASES.glob("*.args")):
        got = run(cfkit, case)
        golden = case.with_suffix(".golden")
        if args.update:
            golden.write_text(got)
            passed += 1
            continue
        want = golden.read_text() if golden.exists() else "(no golden file)\n"
        if got == want:
            passed += 1
        else:
            failed += 1
            print("FAIL %s\n--- want\n%s--- got\n%s" % (case.name, want, got))
    print("clitest: %d cases" % (passed + failed))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
