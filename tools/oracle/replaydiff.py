#!/usr/bin/env python3
"""cfkit replay against logs the real sendmail daemon wrote.

  tools/oracle/replaydiff.py [--cfkit build/cfkit] [--oracle DIR]

testcases/replay/ holds syslog files the real daemon wrote while the same
15 session scripts were played against it under two configs, base and
changed (tools/oracle/maillog_capture.py made them; README there). Checks:

  1. base.cf on base.log, and changed.cf on changed.log: no difference
     (each log replayed through the config that wrote it), and at
     LogLevel 9 the one verdict that hangs on the HELO name (session 09)
     reported as such; at LogLevel 15 (HELO names logged) none at all.
  2. changed.cf on base.log: exactly the differences the daemon itself
     shows between base.log and changed.log, worked out here from the two
     logs' reject lines, independently of cfkit: per client, the
     connection (check_relay), senders (check_mail) and recipients
     (check_rcpt, "User unknown") refused under one config and not the
     other.

The configs are built as tools/oracle/sessiondiff.py builds its own
(sessiondiff.prepare: m4, the access map with the real makemap); the DNS
records are the scripts' `dns` lines, given with --dns-records (a log has
no DNS answers). Needs root (as the other oracle scripts).
"""

import argparse
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "tools/oracle"))
import difftest  # noqa: E402
import sessiondiff  # noqa: E402
import workdir  # noqa: E402

DATA = ROOT / "testcases/replay"
LINE = re.compile(r"^\w{3} [ \d]\d \d\d:\d\d:\d\d \S+ (?:sendmail|sm-mta)\[(\d+)\]: (?:(\w+): )?(.*)$")


def relay_addr(msg):
    m = re.search(r"relay=[^,\[]*\[(?:IPv6:)?([^\]]+)\]", msg)
    return m.group(1) if m else None


def refusals(log):
    """{(client address, what, address): "rejected"|"tempfailed"} from a
    log's reject lines; recipients refused outside the rulesets count too."""
    out = {}
    pid_addr = {}
    lines = log.read_text(encoding="latin-1").splitlines()
    for l in lines:  # first the clients of each process
        m = LINE.match(l)
        if m and relay_addr(m.group(3)):
            pid_addr.setdefault(m.group(1), relay_addr(m.group(3)))
    for l in lines:
        m = LINE.match(l)
        if not m:
            continue
        pid, msg = m.group(1), m.group(3)
        addr = pid_addr.get(pid)
        r = re.match(r"ruleset=(check_\w+), arg1=([^,]*),.* reject=(\d)", msg)
        if r:
            what = {"check_relay": "connection", "check_mail": "sender", "check_rcpt": "recipient"}[r.group(1)]
            arg = "" if what == "connection" else r.group(2).strip("<>")
            out[(addr, what, arg)] = "tempfailed" if r.group(3) == "4" else "rejected"
            continue
        u = re.match(r"<([^>]*)>\.\.\. User unknown", msg)
        if u:
            out[(addr, "recipient", u.group(1))] = "rejected"
    return out


def expected_differences(base_log, changed_log):
    before, after = refusals(base_log), refusals(changed_log)
    refused_now = {k[0] for k, v in after.items() if k[1] == "connection"}
    want = set()
    for k in set(before) | set(after):
        b, a = before.get(k, "accepted"), after.get(k, "accepted")
        if b == a:
            continue
        if k[1] != "connection" and k[0] in refused_now:
            continue  # a refused connection: its later steps are not compared
        want.add((k[0], k[1], k[2], b, a))
    return want


def replay(cfkit, cf, log, dns):
    p = subprocess.run([str(cfkit), "replay", "--json", str(cf), str(log), "--dns-records", str(dns),
                        "--hostname", "mail.example.com", "--no-interfaces"], capture_output=True, text=True)
    if p.returncode not in (0, 1):
        raise RuntimeError("cfkit replay %s %s: exit %d: %s" % (cf, log, p.returncode, p.stderr.strip()))
    diffs, helo, summary = set(), set(), None
    for line in p.stdout.splitlines():
        o = json.loads(line)
        if "summary" in o:
            summary = o
            continue
        key = (o["client_addr"], o["what"], o["address"], o["before"], o["after"])
        (helo if o["helo_dependent"] else diffs).add(key)
    return diffs, helo, summary


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cfkit", default=str(ROOT / "build/cfkit"))
    ap.add_argument("--oracle", default=None)
    args = ap.parse_args(argv)
    cfkit = pathlib.Path(args.cfkit).resolve()
    oracle = pathlib.Path(args.oracle) if args.oracle else difftest.oracle_dir()
    work = workdir.make("replaydiff-")
    failed = passed = 0

    def check(name, problems, detail=""):
        nonlocal failed, passed
        if problems:
            failed += 1
            print("FAIL %s" % name)
            for p in problems:
                print("  " + p)
        else:
            passed += 1
            print("ok   %s%s" % (name, " (%s)" % detail if detail else ""))

    try:
        cfs = {n: sessiondiff.prepare(DATA / ("%s.mc" % n), oracle, work / n) for n in ("base", "changed")}
        dns = work / "records.dns"
        records = sorted({l[4:].strip() for s in sorted((DATA / "sessions").glob("*.session"))
                          for l in s.read_text(encoding="latin-1").splitlines() if l.startswith("dns ")})
        dns.write_text("".join(r + "\n" for r in records))
        for name in ("base", "changed"):
            for log, helo_want in ((DATA / ("%s.log" % name), 1), (DATA / ("%s.loglevel15.log" % name), 0)):
                diffs, helo, s = replay(cfkit, cfs[name], log, dns)
                problems = ["unexpected: %s" % (d,) for d in sorted(diffs)]
                if len(helo) != helo_want:
                    problems.append("%d differences marked as depending on the HELO name, %d expected: %s"
                                    % (len(helo), helo_want, sorted(helo)))
                check("%s.cf on %s: no difference" % (name, log.name), problems,
                      "%d sessions, %d verdicts, %d hanging on the HELO name" % (s["sessions"], s["verdicts"], len(helo)))
        want = expected_differences(DATA / "base.log", DATA / "changed.log")
        got, helo, s = replay(cfkit, cfs["changed"], DATA / "base.log", dns)
        problems = ["the daemon differs, cfkit says nothing: %s" % (d,) for d in sorted(want - got)]
        problems += ["cfkit reports, the daemon does not differ: %s" % (d,) for d in sorted(got - want)]
        check("changed.cf on base.log = the differences between base.log and changed.log", problems,
              "%d differences: %s" % (len(want), ", ".join("%s %s %s->%s" % (d[1], d[2] or d[0], d[3], d[4])
                                                           for d in sorted(want))))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
