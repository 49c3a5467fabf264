#!/usr/bin/env python3
"""Sessions at scale: cfkit beside the real sendmail 8.17 and its daemon, in one run, as a table.

  tools/oracle/bench_scale.py [--cfkit build/cfkit] [--copies 2000] [--addresses 20000]
                              [--daemon-copies 10] [--lines 1000000] [--jobs N] [--repeat 3]

Rows (each the fastest of --repeat runs where a run is short; the machine is noisy):
  1. `-bt` batch: N varied addresses through `3,0` of sendmail-cf's
     generic-linux.cf, `sendmail -bt` vs `cfkit bt` (and `cfkit bt
     --no-memo`); the outputs must be byte-identical.
  2. sessions, same scripts both sides: the seed's daemon cases
     (testcases/sessions/diff/seed) played K times against ONE real
     `sendmail -bD` (tools/oracle/maillog_capture.py: network namespace, fake
     DNS; the rate is the difference between K and 1 copies, so start-up is
     not counted) vs the same scripts, many more times, through one `cfkit
     session`; the replies must be the daemon's.
  3. `cfkit test` on the seed's case suite (testcases/sessions/seed) copied
     --copies times, one core and --jobs cores, with its peak RSS at a tenth
     of the cases and at all of them (memory should not grow).
  4. `cfkit replay` of a log of --lines lines cloned from
     testcases/replay/base.log (tools/oracle/bench_replay.py), and a tenth.
The goals are issue 18's; a row says whether it is met. Needs root (the
daemon and `unshare -u`). Big inputs are made here, in a work directory
outside the checkout, and removed; tools/test.sh never runs this.
"""

import argparse
import os
import pathlib
import re
import shutil
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "tools/oracle"))
import bench  # noqa: E402
import bench_replay  # noqa: E402
import difftest  # noqa: E402
import maillog_capture  # noqa: E402
import sessiondiff  # noqa: E402
import workdir  # noqa: E402

HOST = "mail.example.com"


def timed_cmd(argv, cwd=None, stdout=subprocess.DEVNULL):
    """(wall s, peak RSS KiB, exit status) of one run, RSS by /usr/bin/time."""
    rss = pathlib.Path(cwd or ".", ".bench-rss").resolve()
    t0 = time.perf_counter()
    r = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", str(rss)] + argv, cwd=cwd, stdout=stdout,
                       stderr=subprocess.PIPE)
    dt = time.perf_counter() - t0
    words = rss.read_text().split() if rss.exists() else []
    rss.unlink(missing_ok=True)
    if r.returncode not in (0, 1):
        sys.stderr.write(r.stderr.decode("latin-1"))
    return dt, int(words[-1]) if words and words[-1].isdigit() else -1, r.returncode


def best(runs, fn):
    out = [fn() for _ in range(runs)]
    return min(out, key=lambda r: r[0])


def row_bt(args, oracle, work, rows):
    cfdir = oracle / "root/usr/share/sendmail/cf"
    cf = subprocess.run(["m4", "-D_CF_DIR_=%s/" % cfdir, str(cfdir / "m4/cf.m4"), str(cfdir / "cf/generic-linux.mc")],
                        check=True, capture_output=True).stdout
    (work / "generic-linux.cf").write_bytes(cf)
    data = "".join("3,0 %s\n" % a for a in bench.addresses(args.addresses)).encode()
    sm = [str(oracle / "root/usr/libexec/sendmail/sendmail"), "-bt", "-C", "generic-linux.cf",
          "-OServiceSwitchFile=" + str(oracle / "ss")]
    ck = [args.cfkit, "bt", "-C", "generic-linux.cf"]
    print("bench: -bt batch (%d addresses), %d runs each" % (args.addresses, args.repeat), file=sys.stderr, flush=True)
    runs = {"sm": [], "ck": [], "nm": []}
    for _ in range(args.repeat):
        runs["ck"].append(bench.timed(ck, str(work), data))
        runs["nm"].append(bench.timed(ck + ["--no-memo"], str(work), data))
        runs["sm"].append(bench.timed(sm, str(work), data))
    fast = {k: min(v, key=lambda r: r[1]) for k, v in runs.items()}
    same = all(r[0] == fast["sm"][0] for v in runs.values() for r in v)
    t_sm, t_ck, t_nm = fast["sm"][1], fast["ck"][1], fast["nm"][1]
    us = 1e6 * t_ck / args.addresses
    rows.append(("-bt: %d addresses, 3,0" % args.addresses, "%.3f s" % t_sm, "%.3f s (%.1f us/addr)" % (t_ck, us),
                 "%.1fx" % (t_sm / t_ck), ">= 30x, identical", t_sm / t_ck >= 30 and same))
    rows.append(("  the same, cfkit bt --no-memo", "", "%.3f s" % t_nm, "%.1fx" % (t_sm / t_nm), "", None))
    rows.append(("  outputs byte-identical", "", "", "", "", same))


def row_daemon(args, oracle, work, rows):
    mc = ROOT / "testcases/sessions/diff/seed.mc"
    scripts = sorted((ROOT / "testcases/sessions/diff/seed").glob("*.session"))
    print("bench: the real daemon, %d scripts x 1 and x %d" % (len(scripts), args.daemon_copies),
          file=sys.stderr, flush=True)
    times = []
    for k in (1, args.daemon_copies):
        t0 = time.perf_counter()
        maillog_capture.capture_config(mc, scripts * k, oracle=str(oracle))
        times.append(time.perf_counter() - t0)
    n_extra = len(scripts) * (args.daemon_copies - 1)
    daemon_rate = n_extra / max(times[1] - times[0], 1e-9)
    # cfkit: the same scripts, many times, through one process
    cf = sessiondiff.prepare(mc, oracle, work / "seed-daemon")
    hosts = cf.parent / "hosts.bench"
    hosts.write_text("127.0.0.1\t%s localhost\n" % HOST)
    copies = max(1, args.copies // 4)
    argv = [args.cfkit, "session", str(cf)] + [str(s) for s in scripts] * copies + \
        ["--replies", "--hostname", HOST, "--no-interfaces", "--hosts-file", str(hosts)]
    print("bench: cfkit session, the same %d scripts x %d" % (len(scripts), copies), file=sys.stderr, flush=True)
    out_path = cf.parent / "replies.txt"

    def one():
        with open(out_path, "wb") as out:
            return timed_cmd(argv, cwd=str(cf.parent), stdout=out)
    dt, rss, status = best(args.repeat, one)
    # every transcript must be the daemon's saved one
    text = out_path.read_text(encoding="latin-1")
    chunks = re.split(r"(?:^|\n)==> .* <==\n", text)[1:]
    want = [sessiondiff.mask(s.with_suffix(".expected").read_text(encoding="latin-1")) for s in scripts]
    same = status == 0 and len(chunks) == len(scripts) * copies and all(
        sessiondiff.mask(c) == want[i % len(scripts)] for i, c in enumerate(chunks))
    rate = len(scripts) * copies / dt
    rows.append(("sessions: seed daemon cases", "%.0f /s (daemon)" % daemon_rate, "%.0f /s (session)" % rate,
                 "%.0fx" % (rate / daemon_rate), "replies = daemon's", same))


def row_test(args, work, rows):
    src = sorted(p for p in (ROOT / "testcases/sessions/seed").iterdir() if p.is_file())
    cfdir = difftest.oracle_dir() / "root/usr/share/sendmail/cf"
    results = {}
    for copies in (max(1, args.copies // 10), args.copies):
        d = work / ("seed-x%d" % copies)
        d.mkdir()
        for k in range(copies):
            for p in src:
                shutil.copyfile(p, d / ("%d-%s" % (k, p.name)))
        n = copies * len(src)
        for jobs in sorted({1, args.jobs}):
            print("bench: cfkit test, %d cases, --jobs %d" % (n, jobs), file=sys.stderr, flush=True)
            argv = [args.cfkit, "test", str(ROOT / "testcases/sessions/seed.mc"), str(d), "--cf-dir", str(cfdir),
                    "--hostname", HOST, "--no-interfaces", "--jobs", str(jobs)]
            # (from the checkout: the cases name files relative to it)
            dt, rss, status = best(args.repeat, lambda: timed_cmd(argv, cwd=str(ROOT)))
            results[(copies, jobs)] = (n, dt, rss, status)
        shutil.rmtree(d)
    small, big = max(1, args.copies // 10), args.copies
    for jobs in sorted({1, args.jobs}):
        n, dt, rss, status = results[(big, jobs)]
        rate = n / dt
        per_core = rate / jobs
        goal = ">= 50,000 /s per core" if jobs == 1 else "spreads over cores"
        met = (per_core >= 50000) if jobs == 1 else (rate > results[(big, 1)][0] / results[(big, 1)][1] * 1.3)
        rows.append(("cfkit test: %d seed cases, --jobs %d" % (n, jobs), "", "%.0f /s (%.2f s)" % (rate, dt), "",
                     goal, met and status == 0))
    n1, _, rss1, _ = results[(small, 1)]
    n2, _, rss2, _ = results[(big, 1)]
    rows.append(("  peak RSS, %d vs %d cases" % (n1, n2), "",
                 "%d vs %d KiB (%+.0f B/case)" % (rss1, rss2, 1024.0 * (rss2 - rss1) / max(n2 - n1, 1)), "",
                 "flat (< 1.5x for 10x)", rss2 < 1.5 * rss1))


def row_replay(args, work, rows):
    cf, dns = bench_replay.prepare(work)
    res = {}
    for n in (max(1, args.lines // 10), args.lines):
        log = work / ("replay-%d.log" % n)
        print("bench: cfkit replay, %d lines" % n, file=sys.stderr, flush=True)
        bench_replay.make_log(log, n)
        p, dt, _, kib = bench_replay.timed([args.cfkit, "replay", "--json", str(cf), "--dns-records", str(dns),
                                            "--hostname", HOST, "--no-interfaces", str(log)])
        res[n] = (dt, kib, p.returncode)
        log.unlink()
    small, big = max(1, args.lines // 10), args.lines
    dt, rss, status = res[big]
    rows.append(("cfkit replay: %d log lines" % big, "", "%.0f lines/s (%.1f s)" % (big / dt, dt), "",
                 "1M lines < 30 s", dt * 1000000 / big < 30 and status == 0))
    rows.append(("  peak RSS, %d vs %d lines" % (small, big), "", "%d vs %d KiB" % (res[small][1], rss), "",
                 "flat (< 1.5x)", rss < 1.5 * res[small][1]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cfkit", default=str(ROOT / "build/cfkit"))
    ap.add_argument("--copies", type=int, default=2000, help="copies of the seed's cases for cfkit test")
    ap.add_argument("--addresses", type=int, default=20000)
    ap.add_argument("--daemon-copies", type=int, default=10, help="copies of the daemon cases for the real daemon")
    ap.add_argument("--lines", type=int, default=1000000)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", choices=["bt", "daemon", "test", "replay"], action="append",
                    help="run only these rows (repeatable)")
    args = ap.parse_args()
    args.cfkit = str(pathlib.Path(args.cfkit).resolve())
    if os.geteuid() != 0:
        print("bench_scale: needs root (the daemon and unshare -u)", file=sys.stderr)
        return 2
    if not os.access(args.cfkit, os.X_OK):
        print("bench_scale: %s: no such program (build it first, see README)" % args.cfkit, file=sys.stderr)
        return 2
    if args.daemon_copies < 2 or args.copies < 10 or args.lines < 10:
        ap.error("--daemon-copies must be at least 2, --copies and --lines at least 10")
    oracle = pathlib.Path(difftest.oracle_dir())
    work = workdir.make("bench-scale-")
    rows = []
    try:
        only = set(args.only or ["bt", "daemon", "test", "replay"])
        if "bt" in only:
            row_bt(args, oracle, work, rows)
        if "daemon" in only:
            row_daemon(args, oracle, work, rows)
        if "test" in only:
            row_test(args, work, rows)
        if "replay" in only:
            row_replay(args, work, rows)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    head = ("what", "sendmail 8.17", "cfkit", "ratio", "goal", "met")
    table = [head] + [(a, b, c, d, e, "" if f is None else ("yes" if f else "NO")) for a, b, c, d, e, f in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]
    print("machine: %d cores; %s" % (os.cpu_count() or 0, time.strftime("%Y-%m-%d %H:%M")))
    for i, r in enumerate(table):
        print(" | ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        if i == 0:
            print("-+-".join("-" * w for w in widths))
    # the exit status says whether the outputs were right, not whether goals were met
    bad_output = any(r[0].strip() == "outputs byte-identical" and r[5] is False for r in rows) or \
        any(r[4] == "replies = daemon's" and r[5] is False for r in rows)
    if bad_output:
        print("bench_scale: cfkit's output differs from sendmail's (see the rows above)", file=sys.stderr)
    return 1 if bad_output else 0


if __name__ == "__main__":
    sys.exit(main())
