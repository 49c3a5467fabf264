#!/usr/bin/env python3
"""Speed and memory of `cfkit replay` on a big log, made here.

  tools/oracle/bench_replay.py [--cfkit build/cfkit] [--lines 1000000]

Clones the sessions of testcases/replay/base.log (written by the real
daemon) into a log of N lines: each copy gets its own process ids and
queue ids (the clients stay: the config's access map and the DNS records
know them, so the verdicts stay the logged ones).
Replays it through base.mc's config (built as tools/oracle/replaydiff.py
builds it) and prints lines a second, sessions a second, wall and CPU
time, and the peak RSS for N/10 and N lines (memory should not grow with
the log). The issue's goal: 1,000,000 lines in under 30 s on one core.
Big inputs are made here, not in tools/test.sh.
"""

import argparse
import os
import pathlib
import re
import resource
import shutil
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "tools/oracle"))
import difftest  # noqa: E402
import sessiondiff  # noqa: E402
import workdir  # noqa: E402

DATA = ROOT / "testcases/replay"
PID = re.compile(r"(sendmail|sm-mta)\[(\d+)\]")
QID = re.compile(r"\b6B7K\w{10}\b")


def make_log(path, n):
    src = [l for l in (DATA / "base.log").read_text(encoding="latin-1").splitlines() if "starting daemon" not in l]
    copy = 0
    written = 0
    with open(path, "w", encoding="latin-1") as out:
        while written < n:
            copy += 1
            pids, qids = {}, {}

            def pid(m):
                return "%s[%d]" % (m.group(1), pids.setdefault(m.group(2), 100000 + copy * 100 + len(pids)))

            def qid(m):
                return qids.setdefault(m.group(0), "6B7K%02d%08d" % (len(qids), copy))

            for l in src:
                out.write(QID.sub(qid, PID.sub(pid, l)) + "\n")
                written += 1
                if written >= n:
                    break
    return copy


def timed(argv):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    rss = pathlib.Path(argv[-1] + ".rss")
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", str(rss)] + argv, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    kib = int(rss.read_text().split()[-1])
    return p, dt, cpu, kib


def prepare(work):
    """base.mc's config built in `work` (as replaydiff.py builds it) and a
    DNS records file with the sample sessions' records: (cf, records)."""
    cf = sessiondiff.prepare(DATA / "base.mc", difftest.oracle_dir(), work / "base")
    dns = work / "records.dns"
    dns.write_text("".join(sorted({l[4:].strip() + "\n" for s in (DATA / "sessions").glob("*.session")
                                   for l in s.read_text(encoding="latin-1").splitlines()
                                   if l.startswith("dns ")})))
    return cf, dns


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cfkit", default=str(ROOT / "build/cfkit"))
    ap.add_argument("--lines", type=int, default=1000000)
    args = ap.parse_args()
    cfkit = str(pathlib.Path(args.cfkit).resolve())
    work = workdir.make("bench-replay-")
    try:
        cf, dns = prepare(work)
        results = []
        for n in (max(1, args.lines // 10), args.lines):
            log = work / ("replay-%d.log" % n)
            copies = make_log(log, n)
            p, dt, cpu, kib = timed([cfkit, "replay", "--json", str(cf), "--dns-records", str(dns),
                                     "--hostname", "mail.example.com", "--no-interfaces", str(log)])
            summary = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else p.stderr.strip()
            results.append((n, copies, dt, cpu, kib, summary))
        for n, copies, dt, cpu, kib, summary in results:
            print("%9d lines (%d copies of the sample's sessions): %.1f s (CPU %.1f s), %.0f lines/s, peak RSS %d KiB"
                  % (n, copies, dt, cpu, n / dt, kib))
            print("    %s" % summary)
        n, _, dt, _, _, _ = results[-1]
        print("goal: 1,000,000 lines in under 30 s on one core: %s (%.1f s for %d lines)"
              % ("met" if dt * 1000000 / n < 30 else "NOT met", dt, n))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
