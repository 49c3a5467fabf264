#!/usr/bin/env python3
"""Differential test: real sendmail 8.17 -bt versus cfkit bt, byte for byte.

Each case is a .cf file and an input script. Both programs run on the same
files, from the case's directory, under the same host name (inside
`unshare -u`), and the test fails on any difference in stdout, stderr or
exit status. A case with DNS records (NAME.dns) runs both inside `unshare
-u -n -m` beside a DNS server answering from them (tools/oracle/dns_namespace.py):
sendmail with "dns" in its service switch, cfkit with --dns-records. The
contract for case directories is in testcases/README.md.

Usage:
  tools/oracle/difftest.py [--cfkit build/cfkit] [--random 40] [DIR ...]
Prints one line per failing case with a diff, then "N passed, N failed".
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

import workdir  # the harnesses' work directories

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
HOSTNAME = "mail.example.com"
# Setting the host name needs root: a user namespace would do for that, but
# sendmail then fails to drop its privileges (setgroups is denied there).
UNSHARE = ["unshare", "-u"]


def oracle_dir():
    out = subprocess.run([str(ROOT / "tools/oracle/fetch-sendmail.sh")], check=True,
                         capture_output=True, text=True)
    return pathlib.Path(out.stdout.strip())


def run_in_uts(argv, cwd, stdin_bytes, timeout=60):
    """Runs argv with host name HOSTNAME in a private UTS namespace.
    A run that does not finish in `timeout` seconds gives (None, None, None)."""
    script = 'hostname "$0"; exec "$@"'
    return run_captured(UNSHARE + ["sh", "-c", script, HOSTNAME] + argv, cwd, stdin_bytes, timeout)


def run_captured(cmd, cwd, stdin_bytes, timeout):
    """(stdout, stderr, exit status), or three Nones after `timeout` seconds."""
    try:
        p = subprocess.run(cmd, cwd=cwd, input=stdin_bytes, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, None, None
    return p.stdout, p.stderr, p.returncode


def find_input(cf):
    own = cf.with_suffix(".in")
    if own.exists():
        return own
    shared = cf.parent / "default.in"
    return shared if shared.exists() else None


def case_lines(cf, suffix):
    """The non-blank lines of the case's NAME<suffix> file, if it has one."""
    f = cf.with_suffix(suffix)
    if not f.exists():
        return []
    return [line.strip() for line in f.read_text().splitlines() if line.strip()]


def extra_options(cf):
    """NAME.opts: extra -O options (one per line) given to both programs."""
    return case_lines(cf, ".opts")


def extra_args(cf):
    """NAME.args: more command-line arguments (one per line, such as -d0.4)
    given to both programs after -bt."""
    return case_lines(cf, ".args")


def run_with_dns(records, argv, cwd, stdin_bytes, timeout=60):
    """Runs argv as run_in_uts does, in a network namespace as well, where
    a DNS server answers from `records` (tools/oracle/dns_namespace.py)."""
    cmd = [sys.executable, str(ROOT / "tools/oracle/dns_namespace.py"), str(records), "--"] + argv
    return run_captured(cmd, cwd, stdin_bytes, timeout)


def hosts_switch(cf):
    """NAME.switch: the service switch's hosts line for a case with DNS
    records (default "files dns")."""
    f = cf.with_suffix(".switch")
    return f.read_text().strip() if f.exists() else "files dns"


def compare(case, cfkit, oracle):
    cf, inp = case
    data = inp.read_bytes()
    opts = extra_options(cf)
    sm = oracle / "root/usr/libexec/sendmail/sendmail"
    args = extra_args(cf)
    # NAME.dns: DNS records. sendmail asks a DNS server answering from
    # them, with "dns" in its service switch; cfkit reads them.
    records = cf.with_suffix(".dns")
    switch = oracle / "ss"
    if records.exists():
        switch = cf.parent / (".%s.switch" % cf.stem)
        switch.write_text("hosts %s\naliases files\n" % hosts_switch(cf))
    # both programs read the same service switch file (-O: sendmail's sticky option)
    sm_argv = [str(sm), "-bt"] + args + ["-C", cf.name, "-OServiceSwitchFile=" + str(switch)]
    sm_argv += ["-O" + o for o in opts]
    cf_argv = [str(cfkit), "bt"] + args + ["-C", cf.name, "-OServiceSwitchFile=" + str(switch)]
    cf_argv += ["-O" + o for o in opts]
    if records.exists():
        cf_argv += ["--dns-records", records.name]
        want = run_with_dns(records.name, sm_argv, cf.parent, data)
        got = run_with_dns(records.name, cf_argv, cf.parent, data)
    else:
        want = run_in_uts(sm_argv, cf.parent, data)
        got = run_in_uts(cf_argv, cf.parent, data)
    if want[0] is None or got[0] is None:
        return "timed out after 60 s: %s" % ", ".join(
            n for n, r in (("sendmail", want), ("cfkit", got)) if r[0] is None)
    # -d21.15 prints token addresses, which differ between any two runs
    mask = lambda out: re.sub(rb" 0x[0-9a-f]+=\"", b' 0xADDR="', out)
    want = (mask(want[0]), want[1], want[2])
    got = (mask(got[0]), got[1], got[2])
    if want == got:
        return None
    lines = []
    for label, w, g in (("stdout", want[0], got[0]), ("stderr", want[1], got[1])):
        if w != g:
            diff = difflib.unified_diff(w.decode("latin-1").splitlines(), g.decode("latin-1").splitlines(),
                                        "sendmail " + label, "cfkit " + label, lineterm="", n=1)
            lines += list(diff)[:40]
    if want[2] != got[2]:
        lines.append("exit status: sendmail %d, cfkit %d" % (want[2], got[2]))
    return "\n".join(lines)


MAP_SUFFIXES = {".hash": ["hash"], ".btree": ["btree"], ".hashN": ["-N", "hash"], ".hashf": ["-f", "hash"]}


def build_maps(dest, oracle):
    """NAME.hash, NAME.btree, NAME.hashN (-N), NAME.hashf (-f): makemap input
    text, turned into NAME.db by the real makemap in the copied suite."""
    makemap = oracle / "root/usr/libexec/sendmail/makemap"
    mincf = dest / ".makemap.cf"
    mincf.write_text("V10\n")  # makemap reads a .cf for its options
    for src in sorted(dest.iterdir()):
        flags = MAP_SUFFIXES.get(src.suffix)
        if flags is None:
            continue
        with open(src, "rb") as f:
            subprocess.run([str(makemap), "-C", str(mincf)] + flags + [str(dest / src.stem)],
                           stdin=f, check=True, capture_output=True)
    mincf.unlink()


def local_cf_dir(oracle, workdir):
    """A copy of the oracle's sendmail-cf tree in which Debian's m4 files
    include each other from the copy: they name /usr/share/sendmail/cf,
    which exists only where sendmail-cf is installed."""
    src = oracle / "root/usr/share/sendmail/cf"
    dest = pathlib.Path(workdir) / "sendmail-cf"
    if not dest.exists():
        shutil.copytree(src, dest)
        for f in dest.rglob("*.m4"):
            text = f.read_bytes()
            if b"/usr/share/sendmail/cf" in text:
                f.write_bytes(text.replace(b"/usr/share/sendmail/cf", str(dest).encode()))
    return dest


def expand_mc_suites(dirs, oracle, workdir):
    """A suite with NAME.mc files, map sources or DNS records is copied to `workdir`; each
    .mc is expanded to NAME.cf with m4 and the oracle's sendmail-cf macros,
    and map sources are built with makemap."""
    cfdir = local_cf_dir(oracle, workdir)
    out = []
    for d in dirs:
        d = pathlib.Path(d)
        mcs = sorted(d.glob("*.mc"))
        # NAME.mcref: one line, a .mc of sendmail-cf's own, relative to its cf/ directory
        refs = sorted(d.glob("*.mcref"))
        maps = [f for f in d.iterdir() if f.suffix in MAP_SUFFIXES]
        # cases with DNS records get a service switch file written beside them
        records = sorted(d.glob("*.dns"))
        # NAME.setup: builds the files the cases read; @DIR@ in a .cf: the copy's path
        setups = sorted(d.glob("*.setup"))
        if not mcs and not refs and not maps and not records and not setups:
            out.append(str(d))
            continue
        dest = pathlib.Path(workdir) / d.name
        shutil.copytree(d, dest)
        for ref in refs:
            mc = cfdir / ref.read_text().strip()
            cf = subprocess.run(["m4", "-D_CF_DIR_=%s/" % cfdir, str(cfdir / "m4/cf.m4"), str(mc)],
                                check=True, capture_output=True).stdout
            (dest / ref.with_suffix(".cf").name).write_bytes(cf)
            (dest / ref.name).unlink()
        for mc in mcs:
            cf = subprocess.run(["m4", "-D_CF_DIR_=%s/" % cfdir, str(cfdir / "m4/cf.m4"), str(mc)],
                                check=True, capture_output=True).stdout
            (dest / mc.with_suffix(".cf").name).write_bytes(cf)
        build_maps(dest, oracle)
        for cf in dest.glob("*.cf"):
            text = cf.read_bytes()
            if b"@DIR@" in text:
                cf.write_bytes(text.replace(b"@DIR@", str(dest).encode()))
        for setup in setups:
            subprocess.run(["sh", setup.name], cwd=dest, check=True)
            CLEANUPS.append(dest / setup.name)
        out.append(str(dest))
    return out


# Setup scripts to run again with "clean" at the end (they may leave files
# outside the work directory, such as a directory in /tmp).
CLEANUPS = []


def collect(dirs):
    cases = []
    for d in dirs:
        for cf in sorted(pathlib.Path(d).rglob("*.cf")):
            inp = find_input(cf)
            if inp is None:
                print("difftest: %s: no input (%s or default.in)" % (cf, cf.with_suffix(".in").name),
                      file=sys.stderr)
                sys.exit(2)
            cases.append((cf, inp))
    return cases


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cfkit", default=str(ROOT / "build/cfkit"))
    ap.add_argument("--random", type=int, default=0, metavar="N",
                    help="also generate N random configs (seeds 1..N) with tools/oracle/gen_rulesets.py")
    ap.add_argument("--inputs", type=int, default=40, help="inputs per random config")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("dirs", nargs="*")
    args = ap.parse_args()

    cfkit = pathlib.Path(args.cfkit).resolve()
    if not cfkit.exists():
        print("difftest: %s: not found (build first)" % cfkit, file=sys.stderr)
        return 2
    if os.geteuid() != 0:
        print("difftest: needs root, to give both programs the same host name with unshare -u "
              "(tools/test.sh runs it with sudo)", file=sys.stderr)
        return 2
    if shutil.which("unshare") is None:
        print("difftest: unshare(1) not found (util-linux)", file=sys.stderr)
        return 2
    oracle = oracle_dir()
    dirs = args.dirs or sorted(str(p) for p in (ROOT / "testcases/diff").iterdir() if p.is_dir())
    tmp = str(workdir.make("cfkit-difftest-"))  # not in the checkout: see workdir.py
    shown = list(dirs)
    dirs = expand_mc_suites(dirs, oracle, tmp)
    if args.random:
        rnd = os.path.join(tmp, "random")
        os.mkdir(rnd)
        subprocess.run([sys.executable, str(ROOT / "tools/oracle/gen_rulesets.py"), "--out", rnd,
                        "--configs", str(args.random), "--inputs", str(args.inputs)], check=True)
        dirs.append(rnd)
        shown.append("%d random configs" % args.random)
    cases = collect(dirs)
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        results = list(ex.map(lambda c: compare(c, cfkit, oracle), cases))
    for setup in CLEANUPS:
        subprocess.run(["sh", setup.name, "clean"], cwd=setup.parent, check=True)
    for (cf, inp), res in zip(cases, results):
        if res is None:
            passed += 1
        else:
            failed += 1
            print("FAIL %s (input %s)\n%s\n" % (cf, inp.name, res))
    if failed == 0:
        shutil.rmtree(tmp)
    else:
        print("difftest: work files kept in %s" % tmp)
    print("difftest: %d cases from %s" % (len(cases), ", ".join(shown)))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
