#!/usr/bin/env python3
"""Speed of `cfkit queue list` against real `sendmail -bp`, in one run.

  tools/oracle/bench_queue.py [--cfkit build/cfkit] [--messages 100000] [--repeat 3]

The real sendmail queues a handful of template messages (`sendmail -odq`,
several recipients, bodies of different sizes, an 8BITMIME one); the
script then clones them into a queue of N messages, each with its own queue
id (the id replaced in the control file, lengths kept) and its own queue
time and priority (some equal: the listing's order must then follow the
directory, as sendmail's stable sort does). Both programs list that queue
(page cache warm: one untimed run each first); the outputs must be
identical. It prints wall and CPU times, peak memory and the ratio, and
the peak memory of `cfkit queue list --json` (streamed, unsorted) on N/10
and N messages, which should not grow with the queue.

Big inputs are made here, not in the test suite (tools/test.sh): a queue of
100,000 messages is 200,000 files.
"""

import argparse
import os
import pathlib
import random
import re
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "tools/oracle"))
import bench  # noqa: E402
import difftest  # noqa: E402
import workdir  # noqa: E402

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def make_templates(sendmail, cf, work, ss):
    """A few messages queued by the real sendmail: their qf and df bytes."""
    q = work / "templates"
    q.mkdir(mode=0o700)
    rcpts = [["a@example.com"],
             ["b@example.org", "c@example.net", "someone.with.a.long.name@subdomain.example.info"],
             ["d@example.com", "e@example.com"],
             ["postmaster@example.org"],
             ["f@example.net"] * 1 + ["g@example.net"]]
    for i, rs in enumerate(rcpts):
        body = ("Subject: template %d\n\n" % i) + ("line of text %d\n" % i) * (3 + 40 * i)
        argv = difftest.UNSHARE + ["sh", "-c", 'hostname "$0"; exec "$@"', difftest.HOSTNAME,
                                   str(sendmail), "-odq", "-C", str(cf), "-OQueueDirectory=" + str(q),
                                   "-OServiceSwitchFile=" + str(ss), "-f", "sender%d@example.org" % i] + rs
        if i == 2:
            argv.insert(argv.index("-odq"), "-B8BITMIME")
        subprocess.run(argv, input=body.encode(), check=True, cwd=str(work))
    out = []
    for qf in sorted(q.glob("qf*")):
        qid = qf.name[2:]
        out.append((qid, qf.read_bytes(), (q / ("df" + qid)).read_bytes()))
    shutil.rmtree(q)
    return out


def clone(templates, n, q):
    """N messages in directory q, ids unique and of sendmail's length."""
    r = random.Random(7)
    q.mkdir(mode=0o700)
    base_t = 1796000000
    for k in range(n):
        tid, qf, df = templates[k % len(templates)]
        # 14 characters as sendmail's: 8 of date/sequence, 6 of "pid"
        new = "6B7J" + "".join(ALPHABET[(k // 60 ** j) % 60] for j in range(4)) + "%06d" % (k % 1000000)
        new = new[:len(tid)].ljust(len(tid), "0")
        text = qf.replace(tid.encode(), new.encode())
        text = re.sub(rb"^T\d+$", b"T%d" % (base_t + r.randrange(0, 86400 * 5)), text, count=1, flags=re.M)
        # a quarter share one priority: ties keep the directory's order
        pri = 30000 if k % 4 == 0 else 30000 + r.randrange(0, 500000)
        text = re.sub(rb"^P\d+$", b"P%d" % pri, text, count=1, flags=re.M)
        (q / ("qf" + new)).write_bytes(text)
        (q / ("df" + new)).write_bytes(df)
        if k % 20000 == 0 and k:
            print("bench_queue: %d messages written" % k, file=sys.stderr, flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cfkit", default=str(ROOT / "build/cfkit"))
    ap.add_argument("--messages", type=int, default=100000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()
    if not os.access("/usr/bin/time", os.X_OK):
        print("bench_queue: /usr/bin/time is missing: install Debian's `time` package", file=sys.stderr)
        return 2
    cfkit = pathlib.Path(args.cfkit).resolve()
    if not os.access(cfkit, os.X_OK):
        print("bench_queue: %s: no such program (build it first)" % cfkit, file=sys.stderr)
        return 2
    oracle = difftest.oracle_dir()
    cfdir = oracle / "root/usr/share/sendmail/cf"
    sendmail = oracle / "root/usr/libexec/sendmail/sendmail"
    work = workdir.make("cfkit-bench-queue-")
    # the seed's .mc (generic-linux.mc's F file /etc/mail/local-host-names
    # stops `sendmail -odq` where it does not exist)
    cf = work / "seed.cf"
    cf.write_bytes(subprocess.run(["m4", "-D_CF_DIR_=%s/" % cfdir, str(cfdir / "m4/cf.m4"),
                                   str(ROOT / "testcases/sessions/seed.mc")], check=True, capture_output=True).stdout)
    ss = work / "ss"
    ss.write_text("hosts files\naliases files\n")
    templates = make_templates(sendmail, cf, work, ss)
    q = work / "mqueue"
    clone(templates, args.messages, q)
    env_tz = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"  # both print local times: the same zone for both
    sm = [str(sendmail), "-bp", "-C", str(cf), "-OQueueDirectory=" + str(q), "-OServiceSwitchFile=" + str(ss)]
    ck = [str(cfkit), "queue", "list", "--config", str(cf), str(q)]
    bench.timed(sm, str(work), b"")  # warm the page cache
    runs_sm, runs_cf = [], []
    for k in range(args.repeat):
        print("bench_queue: run %d of %d" % (k + 1, args.repeat), file=sys.stderr, flush=True)
        runs_cf.append(bench.timed(ck, str(work), b""))
        runs_sm.append(bench.timed(sm, str(work), b""))
    got, t_cf, rss_cf, cpu_cf = min(runs_cf, key=lambda r: r[1])
    want, t_sm, rss_sm, cpu_sm = min(runs_sm, key=lambda r: r[1])
    same = want == got and all(r[0] == got for r in runs_cf) and all(r[0] == want for r in runs_sm)
    # --json streams: peak memory on a tenth of the queue and on all of it
    small = work / "mqueue-small"
    clone(templates, max(1, args.messages // 10), small)
    _, t_js, rss_js, _ = bench.timed([str(cfkit), "queue", "list", "--json", str(q)], str(work), b"")
    _, _, rss_js_small, _ = bench.timed([str(cfkit), "queue", "list", "--json", str(small)], str(work), b"")
    if env_tz is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = env_tz
    print("queue of %d messages (%d files), the seed config, fastest of %d runs"
          % (args.messages, 2 * args.messages, args.repeat))
    print("sendmail 8.17 -bp:     %.3f s (CPU %.3f s, peak RSS %d KiB)" % (t_sm, cpu_sm, rss_sm))
    print("cfkit queue list:      %.3f s (CPU %.3f s, peak RSS %d KiB)" % (t_cf, cpu_cf, rss_cf))
    print("ratio:                 %.1fx (CPU time: %.1fx)" % (t_sm / t_cf, cpu_sm / max(cpu_cf, 1e-9)))
    print("cfkit queue list --json: %.3f s; peak RSS %d KiB on %d messages, %d KiB on %d"
          % (t_js, rss_js_small, max(1, args.messages // 10), rss_js, args.messages))
    print("outputs identical:     %s (%d bytes)" % ("yes" if same else "NO", len(want)))
    if not same:
        a, b = want.decode("latin-1").splitlines(), got.decode("latin-1").splitlines()
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                print("first difference at line %d:\n  sendmail: %r\n  cfkit:    %r" % (i + 1, x, y))
                break
    if args.keep:
        print("work directory kept: %s" % work)
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
