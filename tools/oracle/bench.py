#!/usr/bin/env python3
"""Speed: the same batch through real `sendmail -bt` and `cfkit bt`, in one run.

  tools/oracle/bench.py [--cfkit build/cfkit] [--addresses 20000] [--rulesets 3,0] [--repeat 3]

Expands sendmail-cf's generic-linux.mc with the oracle's m4 files, feeds
both programs N varied addresses, checks the outputs are byte-identical,
and prints wall times, peak memory (max RSS) and the ratio.
"""

import argparse
import os
import pathlib
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "tools/oracle"))
import difftest  # noqa: E402
import workdir  # noqa: E402


def addresses(n, seed=1):
    r = random.Random(seed)
    users = ["user", "joe", "a.b", "postmaster", "\"q u\"", "x+y", "MAILER-DAEMON", "root"]
    hosts = ["example.com", "mail.example.com", "localhost", "[127.0.0.1]", "host.example.org", "a.b.c.d.e"]
    forms = ["{u}@{h}", "<{u}@{h}>", "Name <{u}@{h}>", "{u}", "{u}%{h2}@{h}", "<@{h2}:{u}@{h}>", "{h2}!{u}"]
    out = []
    for _ in range(n):
        f = r.choice(forms)
        out.append(f.format(u=r.choice(users), h=r.choice(hosts), h2=r.choice(hosts)))
    return out


def timed(argv, cwd, data):
    """Output, wall time, peak RSS in KiB, CPU time.

    The program reads its input from a file and writes its output to a
    file, as `sendmail -bt < in > out` would: through pipes, Python's own
    reading of 15 MB of output would be timed too (about 0.05 s, a third
    of cfkit's time). The peak RSS comes from /usr/bin/time (Debian's
    `time` package): a child Python starts inherits Python's own
    high-water mark at exec, so getrusage() here would report Python's
    size, not the program's."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    rss_file = tempfile.NamedTemporaryFile(prefix="cfkit-bench-rss-", dir=cwd, delete=False)
    rss_file.close()
    in_path = pathlib.Path(cwd, "bench-input.txt")
    out_path = pathlib.Path(cwd, "bench-output.txt")
    in_path.write_bytes(data)
    cmd = ["/usr/bin/time", "-f", "%M", "-o", rss_file.name] + difftest.UNSHARE + \
        ["sh", "-c", 'hostname "$0"; exec "$@"', difftest.HOSTNAME] + argv
    with open(in_path, "rb") as fin, open(out_path, "wb") as fout:
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, stdin=fin, stdout=fout, stderr=subprocess.DEVNULL)
        dt = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    out = out_path.read_bytes()
    words = pathlib.Path(rss_file.name).read_text().split()
    for f in (rss_file.name, in_path, out_path):
        os.unlink(f)
    rss = int(words[-1]) if words and words[-1].isdigit() else -1
    return out, dt, rss, cpu


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cfkit", default=str(ROOT / "build/cfkit"))
    ap.add_argument("--addresses", type=int, default=20000)
    ap.add_argument("--rulesets", default="3,0")
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs of each program, alternating; the fastest (wall time) counts, "
                         "with its own CPU time and RSS (the machine is noisy)")
    args = ap.parse_args()
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    if not os.access("/usr/bin/time", os.X_OK):
        print("bench: /usr/bin/time is missing: install Debian's `time` package (tools/setup.sh does)",
              file=sys.stderr)
        return 2
    if not os.access(args.cfkit, os.X_OK):
        print("bench: %s: no such program (build it first, see README)" % args.cfkit, file=sys.stderr)
        return 2
    oracle = difftest.oracle_dir()
    cfdir = oracle / "root/usr/share/sendmail/cf"
    work = str(workdir.make("cfkit-bench-"))  # not in the checkout: see workdir.py
    cf = subprocess.run(["m4", "-D_CF_DIR_=%s/" % cfdir, str(cfdir / "m4/cf.m4"), str(cfdir / "cf/generic-linux.mc")],
                        check=True, capture_output=True).stdout
    pathlib.Path(work, "generic-linux.cf").write_bytes(cf)
    data = "".join("%s %s\n" % (args.rulesets, a) for a in addresses(args.addresses)).encode()
    sm = [str(oracle / "root/usr/libexec/sendmail/sendmail"), "-bt", "-C", "generic-linux.cf",
          "-OServiceSwitchFile=" + str(oracle / "ss")]
    ck = [str(pathlib.Path(args.cfkit).resolve()), "bt", "-C", "generic-linux.cf"]
    runs_cf, runs_sm = [], []
    for k in range(args.repeat):
        # (progress on stderr: sendmail's runs take seconds each)
        print("bench: run %d of %d: cfkit" % (k + 1, args.repeat), file=sys.stderr, flush=True)
        runs_cf.append(timed(ck, work, data))
        print("bench: run %d of %d: sendmail" % (k + 1, args.repeat), file=sys.stderr, flush=True)
        runs_sm.append(timed(sm, work, data))
    got, t_cf, rss, cpu_cf = min(runs_cf, key=lambda r: r[1])
    want, t_sm, rss_sm, cpu_sm = min(runs_sm, key=lambda r: r[1])
    # every run must give the same bytes, not just the fastest
    same_runs = all(r[0] == got for r in runs_cf) and all(r[0] == want for r in runs_sm)
    # load time: the config alone, no input
    _, t_load, _, _ = timed(ck, work, b"")
    print("generic-linux.cf, %d addresses through %s (fastest of %d runs each)"
          % (args.addresses, args.rulesets, args.repeat))
    print("sendmail 8.17 -bt: %.3f s (CPU %.3f s, peak RSS %d KiB)" % (t_sm, cpu_sm, rss_sm))
    print("cfkit bt:          %.3f s (CPU %.3f s, peak RSS %d KiB)" % (t_cf, cpu_cf, rss))
    print("cfkit load only:   %.3f s (process start, read and compile %d lines)" % (t_load, cf.count(b"\n")))
    print("ratio:             %.1fx (CPU time: %.1fx)" % (t_sm / t_cf, cpu_sm / max(cpu_cf, 1e-9)))
    # reading the config inside one process (no process start, no probing):
    # Debian's sendmail.mc is the 2,000-line config of the issue
    deb_mc = ROOT / "testcases/diff/stock/debian-sendmail.mc"
    local_cf = difftest.local_cf_dir(oracle, work)  # Debian's m4 files name /usr/share/sendmail/cf
    deb = subprocess.run(["m4", "-D_CF_DIR_=%s/" % local_cf, str(local_cf / "m4/cf.m4"), str(deb_mc)],
                         check=True, capture_output=True).stdout
    pathlib.Path(work, "debian-sendmail.cf").write_bytes(deb)
    for name in ("generic-linux.cf", "debian-sendmail.cf"):
        r = subprocess.run([str(pathlib.Path(args.cfkit).resolve()), "bench-load", name, "--runs", "200"],
                           cwd=work, capture_output=True, text=True)
        print("load in process:   %s" % (r.stdout.strip() or r.stderr.strip()))
    ok = want == got and same_runs
    print("outputs identical: %s (%d bytes)" % ("yes" if ok else "NO", len(want)))
    shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
