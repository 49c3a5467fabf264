#!/usr/bin/env python3
"""Route differential: `cfkit queue route` against real sendmail's /parse.

Every recipient of a queue the real sendmail wrote, under two configs.

    tools/oracle/routediff.py [--cfkit build/cfkit] [--keep]

Needs root (namespaces). Prints one line a check (`ok   NAME`, or `FAIL
NAME` with each differing recipient and both answers under it), then "N
passed, N failed"; exit status 1 if a check failed, 2 if the harness
failed. A run takes a few seconds.

Why: `cfkit queue route --config CF QDIR` answers "where would this config
send the queue?". A queue run reads each R line with parseaddr() (rulesets
3 and 0, the user part through 2, the mailer's R= and 4), which is what
`sendmail -bt`'s `/parse ADDRESS` runs and prints ("mailer esmtp, host
example.com, user rcpt@example.com", "mailer *error*, host 5.7.1, user
TEXT" or "Cannot parse"). So each triple cfkit gives must be that one.

Every program runs as in tools/oracle/difftest.py (host name
mail.example.com in a new UTS namespace, the oracle's service switch
file), in a new mount namespace as well, where /etc/hosts is this script's
(HOSTS: a short name that canonifies to a long one).

1. The queue: `sendmail -odq -C base.cf`, one message a recipient (and one
   with several), base.cf being testcases/sessions/seed.mc (stock
   generic-linux, Cw[127.0.0.1]). The recipients: user@domain, local users
   (root, postmaster, one that does not exist), address literals
   ([192.0.2.1], IPv6, the config's own [127.0.0.1]), the host's own name,
   the percent hack, uucp host!user and a!b!c, host.UUCP, comments,
   quoted phrases and local parts, a source route, upper case with a
   trailing dot, +detail, UTF-8 bytes and backslashes, a short host name.
   Then one message whose R lines this script writes (a copy of a queued
   one): addresses a later config may find in the queue but sendmail
   refuses at submission (FEATURE(redirect)'s .REDIRECT, "user@" without a
   host, an unbalanced "<"). And a queue of its own with ISO 8859-1 bytes
   (not UTF-8) in addresses.
2. For each config, the one the queue was made with and a changed one
   (changed.mc: seed.mc with SMART_HOST, a mailertable with error: and
   relay: entries, LOCAL_RELAY, nouucp, nocanonify, and a rule that reads
   ${addr_type}): `cfkit queue route --json` must list every R line of
   every qf, in the file's order; the text output must say what the JSON
   says; each (mailer, host, user) must be the one `/parse` prints (an
   error: cfkit's "error" true, the triple of a $#error, and the text
   sendmail prints in cfkit's message).
3. The queue run's view: readqf() defines the qf's macros (its `$` lines,
   such as ${daemon_flags}, which FEATURE(nocanonify) reads) and
   ${addr_type} before it parses each R line. The same /parse after `.D`
   lines for them must give cfkit's triple too.
"""

import argparse
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "tools/oracle"))
import difftest  # noqa: E402  (HOSTNAME, oracle_dir)
import workdir  # noqa: E402

SEED_MC = ROOT / "testcases/sessions/seed.mc"

# (what it covers, the recipients of one message); queued by the base config
QUEUED = [
    ("user@domain", ["user@example.com"]),
    ("user@subdomain", ["someone@sub.example.net"]),
    ("local: root (EXPOSED_USER)", ["root"]),
    ("local: postmaster", ["postmaster"]),
    ("local: no such user", ["nosuchuser"]),
    ("address literal", ["user@[192.0.2.1]"]),
    ("IPv6 address literal", ["user@[IPv6:2001:db8::1]"]),
    ("the config's own literal (Cw[127.0.0.1])", ["user@[127.0.0.1]"]),
    ("the host's own name ($=w)", ["user@mail.example.com"]),
    ("percent hack", ["user%other.example@relay.example"]),
    ("percent hack through this host", ["user%other.example@mail.example.com"]),
    ("uucp host!user", ["host.example!user"]),
    ("uucp a!b!c", ["a!b!c"]),
    ("host.UUCP", ["user@host.UUCP"]),
    ("comment", ["joe@example.org (Joe Public)"]),
    ("quoted phrase and <address>", ['"Joe Q. Public" <joe2@example.org>']),
    ("quoted local part", ['"quoted local"@example.com']),
    ("source route", ["@relay.example:user@example.net"]),
    ("upper case, trailing dot", ["User@EXAMPLE.COM."]),
    ("+detail", ["user+tag@example.com"]),
    ("mailertable's error: domain (changed config)", ["joe@blocked.example"]),
    ("mailertable's relay: subdomain (changed config)", ["x@sub.relay.example"]),
    ("a rule reading ${addr_type} (changed config)", ["who@addrtype.example"]),
    ("a short name the hosts file canonifies (nocanonify in the changed config)", ["user@shorthost"]),
    ("several recipients in one message", ["a@one.example", "b@two.example", "root", "c@blocked.example"]),
    ("UTF-8 and backslashes", ["\u00fcser@example.com", "\u00fc@[127.0.0.1]", "x\\y@example.com",
                               "user@exa\\mple.com"]),
]
# R lines this script writes into a copy of a queued qf (sendmail -odq
# refuses them, a queue made under another config may hold them)
WRITTEN = ["old@example.com.REDIRECT", "user@", "<unbalanced@example.com"]
# A queue of its own: bytes that are not UTF-8 (ISO 8859-1 addresses, as
# old MUAs send them)
LATIN1 = [("ISO 8859-1 bytes", ["r\xfc@example.com", "r\xe9sum\xe9@[127.0.0.1]"])]

# The namespace's /etc/hosts
HOSTS = "127.0.0.1\tlocalhost\n192.0.2.10\tshorthost.example.net shorthost\n"

# The changed config: lines put before seed.mc's MAILER(local) (@DIR@:
# the work directory, where the mailertable is) ...
CHANGES = """define(`SMART_HOST', `smtp:[smart.example.net]')dnl
define(`LOCAL_RELAY', `smtp:local-relay.example')dnl
FEATURE(`mailertable', `hash -o @DIR@/mailertable')dnl
FEATURE(`nouucp', `reject')dnl
FEATURE(`nocanonify')dnl
"""
# ... and after its end: a queue run defines ${addr_type} ("e r", "e b"
# for a B recipient) before parseaddr(), as -bt does ("e r")
CHANGES_END = """LOCAL_RULE_0
R$* < @ addrtype.example $* > $*\t$#error $@ 5.1.1 $: "550 addr_type is " $&{addr_type}
"""
MAILERTABLE = ("example.org\tesmtp:[mx.example.net]\n"
               ".relay.example\trelay:relay-hub.example\n"
               "relay.example\tsmtp:relay-hub.example\n"
               "blocked.example\terror:5.7.1:550 mail for this domain is refused\n")

# /parse's answer (main.c, testmodeline())
TRIPLE = re.compile(r"mailer (\S+), (?:host (.*), )?user (.*)")
TRACE = re.compile(r"\S+ +(?:input|returns): ")


class HarnessError(Exception):
    pass


def as_arg(a, encoding="utf-8"):
    return a if isinstance(a, bytes) else os.fsencode(a) if isinstance(a, pathlib.Path) else str(a).encode(encoding)


class Env:
    """The oracle, the work directory and the namespace both programs run in."""

    def __init__(self, oracle, work, cfkit):
        self.oracle = oracle
        usr = oracle / "root/usr"
        self.sendmail = usr / "libexec/sendmail/sendmail"
        self.makemap = usr / "libexec/sendmail/makemap"
        self.cfdir = usr / "share/sendmail/cf"
        self.switch = oracle / "ss"  # fetch-sendmail.sh's: hosts files, aliases files
        self.work = work
        self.cfkit = cfkit
        self.hosts = work / "hosts"
        self.hosts.write_text(HOSTS)

    def ns(self, argv, encoding="utf-8"):
        """argv in new UTS and mount namespaces: difftest.HOSTNAME, HOSTS."""
        sh = 'hostname "$0" && mount --bind "$1" /etc/hosts && shift && exec "$@"'
        return [as_arg(a, encoding) for a in ["unshare", "-u", "-m", "sh", "-c", sh, difftest.HOSTNAME,
                                              self.hosts] + list(argv)]

    def run(self, argv, check=True, encoding="utf-8", **kw):
        r = subprocess.run(self.ns(argv, encoding), capture_output=True, cwd=str(self.work), timeout=60, **kw)
        if check and r.returncode != 0:
            raise HarnessError("%s: exit status %d: %s" % (" ".join(map(str, argv[:6])), r.returncode,
                                                          (r.stdout + r.stderr).decode("latin-1").strip()[:2000]))
        return r

    def m4(self, mc_text, name):
        mc = self.work / (name + ".mc")
        mc.write_text(mc_text)
        cf = self.work / (name + ".cf")
        r = subprocess.run(["m4", "-D_CF_DIR_=%s/" % self.cfdir, str(self.cfdir / "m4/cf.m4"), str(mc)],
                           capture_output=True, check=True)
        cf.write_bytes(r.stdout)
        return cf

    def queue(self, cf, qdir, rcpts, n, encoding="utf-8"):
        """sendmail -odq: one message to rcpts (bytes in `encoding`)."""
        body = "Subject: route test %d\n\nA message.\n" % n
        self.run([self.sendmail, "-odq", "-C", cf, "-OQueueDirectory=%s" % qdir,
                  "-OServiceSwitchFile=%s" % self.switch, "-f", "sender@example.org"] + rcpts,
                 encoding=encoding, input=body.encode())

    def bt(self, cf, lines):
        """One `sendmail -bt` run on these input lines: what it printed after
        each line's prompt, as (mailer or None, host or None, user or None,
        [other lines: errors]) for a /parse line, None for another."""
        r = self.run([self.sendmail, "-bt", "-C", cf, "-OServiceSwitchFile=%s" % self.switch], check=False,
                     input="".join(l + "\n" for l in lines).encode("latin-1"))
        out = r.stdout.decode("latin-1")
        # each answer follows a "> " prompt at the start of a line; a line
        # that prints nothing (.D) leaves its prompt before the next one
        chunks = []
        for l in out.split("\n"):
            while l.startswith("> "):
                chunks.append([])
                l = l[2:]
            if chunks:
                chunks[-1].append(l)
        chunks = ["\n".join(c) for c in chunks]
        if len(chunks) != len(lines) + 1:
            raise HarnessError("sendmail -bt: %d answers to %d lines:\n%s%s"
                               % (len(chunks) - 1, len(lines), out[-3000:], r.stderr.decode("latin-1")))
        answers = []
        for line, chunk in zip(lines, chunks):
            if not line.startswith("/parse "):
                answers.append(None)
                continue
            mailer = host = user = None
            errors = []
            for l in chunk.split("\n"):
                m = TRIPLE.fullmatch(l)
                if m:
                    mailer, host, user = m.groups()
                elif l and l != "Cannot parse" and not TRACE.match(l) and \
                        not l.startswith(("Cracked address = ", "Parsing envelope ")):
                    errors.append(l)
            answers.append((mailer, host, user, errors))
        return answers

    def route(self, cf, qdir, *opts):
        return self.run([self.cfkit, "queue", "route", "--config", cf, qdir] + list(opts), check=False)


class QueueFile:
    """A qf as this script reads it: the macros it defines (its `$` lines) and
    its recipients (R lines: flags, address), in the file's order."""

    def __init__(self, path):
        self.id = path.name[2:]
        self.macros = []
        self.recipients = []
        version = 0
        for line in path.read_bytes().decode("latin-1").split("\n"):
            if line.startswith("V"):
                version = int(line[1:] or "0")
            elif line.startswith("$"):
                self.macros.append(line[1:])
            elif line.startswith("R"):
                flags, sep, addr = line[1:].partition(":")
                self.recipients.append((flags, addr) if version >= 1 and sep else ("", line[1:]))


def read_queue(qdir):
    """{id: QueueFile} of the qf files of a directory."""
    return {p.name[2:]: QueueFile(p) for p in sorted(qdir.iterdir()) if p.name.startswith("qf")}


def write_message(qdir, template_id, new_id, rcpts):
    """A copy of message template_id, named new_id, with these R lines."""
    qf = (qdir / ("qf" + template_id)).read_text(encoding="latin-1")
    lines = [l for l in qf.replace(template_id, new_id).split("\n") if not l.startswith("R")]
    at = next(i for i, l in enumerate(lines) if l.startswith("H"))
    lines[at:at] = ["RPFD:" + r for r in rcpts]
    (qdir / ("qf" + new_id)).write_text("\n".join(lines), encoding="latin-1")
    shutil.copyfile(qdir / ("df" + template_id), qdir / ("df" + new_id))
    os.chmod(qdir / ("qf" + new_id), 0o600)
    os.chmod(qdir / ("df" + new_id), 0o600)


def text_line(qid, r):
    """What `cfkit queue route` (no --json) prints for one route object."""
    if r.get("error"):
        return "%s %s -> error: %s" % (qid, r["recipient"], r.get("message") or "unresolvable")
    host = " host=%s" % r["host"] if r.get("host") is not None else ""
    return "%s %s -> mailer=%s%s user=%s" % (qid, r["recipient"], r["mailer"], host, r["user"])


TEXT_ROUTE = re.compile(r"(\S+) (.*?) -> (?:error: (.*)|mailer=(\S+)(?: host=(\S+))? user=(.*))")


def routes_of_text(text):
    """{id: [route object]} from the text output (when --json fails): the
    recipient before the first " -> ", a host without spaces; no triple
    for an error."""
    routes = {}
    for line in text.splitlines():
        m = TEXT_ROUTE.fullmatch(line)
        if not m:
            raise HarnessError("cfkit queue route: a line not understood: %r" % line)
        qid, rcpt, err, mailer, host, user = m.groups()
        x = {"recipient": rcpt, "error": err is not None, "message": err, "mailer": mailer, "host": host,
             "user": user}
        if err is not None:
            x.update(mailer="error", host=None, user=None)
        routes.setdefault(qid, []).append(x)
    return routes


def error_text(line, addr):
    """An error line of -bt without its "ADDRESS... " prefix."""
    prefix = addr + "... "
    return line[len(prefix):] if line.startswith(prefix) else line


def compare_route(r, want):
    """The differences between cfkit's route object and /parse's answer."""
    mailer, host, user, errors = want
    problems = []
    if mailer is None or mailer == "*error*":
        # a rejected address: cfkit says error, with sendmail's text; for a
        # $#error the triple as well (sendmail names the mailer "*error*",
        # cfkit "error", the name the rules give)
        if not r.get("error"):
            problems.append("sendmail rejects it, cfkit routes it")
        if mailer == "*error*" and r.get("user") is not None and \
                (r.get("mailer"), r.get("host"), r.get("user")) != ("error", host or None, user):
            problems.append("another error triple")
        for e in errors:
            if error_text(e, r["recipient"]) not in (r.get("message") or ""):
                problems.append("error text %r not in cfkit's message" % error_text(e, r["recipient"]))
    else:
        if r.get("error"):
            problems.append("cfkit rejects it, sendmail routes it")
        if (r.get("mailer"), r.get("host"), r.get("user")) != (mailer, host or None, user):
            problems.append("another triple")
    if not problems:
        return []
    sm = ("Cannot parse" if mailer is None else "mailer=%r host=%r user=%r" % (mailer, host, user)) + \
        "".join(" | %s" % e for e in errors)
    got = "mailer=%r host=%r user=%r error=%s message=%r" % (r.get("mailer"), r.get("host"), r.get("user"),
                                                            r.get("error"), r.get("message"))
    return ["%s: %s" % (r["recipient"], "; ".join(problems)), "    sendmail: " + sm, "    cfkit:    " + got]


def macro_line(text):
    """A qf's `$` line as a -bt .D line (a name in braces or one character)."""
    return ".D" + text


class Report:
    def __init__(self):
        self.passed = self.failed = 0

    def result(self, name, problems, note=""):
        if problems:
            self.failed += 1
            print("FAIL %s" % name)
            for p in problems:
                print("  " + p)
        else:
            self.passed += 1
            print("ok   %s%s" % (name, " (%s)" % note if note else ""))
        sys.stdout.flush()


def cfkit_routes(env, report, label, cf, qdir):
    """{id: [route object]} from cfkit queue route --json (from its text
    output when --json fails), with the text output checked against it."""
    js = env.route(cf, qdir, "--json")
    tx = env.route(cf, qdir)
    if tx.returncode != 0:
        report.result("%s: cfkit queue route" % label,
                      ["exit status %d: %s" % (tx.returncode, tx.stderr.decode("latin-1").strip())])
    if js.returncode != 0:
        report.result("%s: cfkit queue route --json" % label,
                      ["exit status %d: %s" % (js.returncode, js.stderr.decode("latin-1").strip()),
                       "(the routes of the text output are compared instead)"])
        return routes_of_text(tx.stdout.decode("latin-1")) if tx.returncode == 0 else None
    routes = {}
    for line in js.stdout.decode("latin-1").splitlines():  # byte for byte: Latin-1 both ways
        o = json.loads(line)
        routes[o["id"]] = o["routes"]
    if tx.returncode == 0:
        want = sorted(text_line(qid, x) for qid, xs in routes.items() for x in xs)
        got = sorted(tx.stdout.decode("latin-1").splitlines())
        problems = ["text: %s" % l for l in sorted(set(got) - set(want))] + \
            ["json: %s" % l for l in sorted(set(want) - set(got))]
        report.result("%s: the text output says what --json says" % label, problems)
    return routes


def check_config(env, report, label, cf, qdir):
    """cfkit queue route --config cf qdir against /parse with cf."""
    queued = read_queue(qdir)
    routes = cfkit_routes(env, report, label, cf, qdir)
    if routes is None:
        return
    # every R line of every qf, in the file's order
    problems = []
    for qid, qf in sorted(queued.items()):
        want = [a for _, a in qf.recipients]
        got = [x["recipient"] for x in routes.get(qid, [])]
        if got != want:
            problems.append("%s: the qf's R lines %r, cfkit's routes %r" % (qid, want, got))
    problems += ["%s: not a qf of the queue" % q for q in sorted(set(routes) - set(queued))]
    report.result("%s: a route for every R line" % label, problems,
                  "%d messages, %d recipients" % (len(queued), sum(len(q.recipients) for q in queued.values())))
    if problems:
        return
    # the queue run's view: each message's macros defined first (and
    # emptied after it), ${addr_type} for each R line, as readqf() does;
    # cfkit queue route answers as the queue run would
    lines, where = [], []
    for qid, qf in sorted(queued.items()):
        lines += [macro_line(m) for m in qf.macros]
        for i, (flags, a) in enumerate(qf.recipients):
            lines.append(".D{addr_type}" + ("e b" if "B" in flags else "e r"))
            lines.append("/parse " + a)
            where.append((qid, i))
        lines += [macro_line(re.match(r"(\{[^}]*\}|.)", m).group(1)) for m in qf.macros]
    answers = [a for a in env.bt(cf, lines) if a is not None]
    problems = []
    for (qid, i), want in zip(where, answers):
        p = compare_route(routes[qid][i], want)
        if p:
            p[0] = "%s %s" % (qid, p[0])
        problems += p
    report.result("%s: cfkit queue route = a queue run's /parse (the qf's macros, ${addr_type})" % label,
                  problems, "%d recipients" % len(where))
    # ... and, for every address whose triple does not depend on the qf's
    # macros, equal to a plain /parse too (each address once)
    run_answer = {}
    for (qid, i), want in zip(where, answers):
        run_answer.setdefault(queued[qid].recipients[i][1], want)
    addrs = sorted({a for qf in queued.values() for _, a in qf.recipients})
    plain = dict(zip(addrs, env.bt(cf, ["/parse " + a for a in addrs])))
    first = {}
    for qid in sorted(routes):
        for x in routes[qid]:
            first.setdefault(x["recipient"], x)
    problems = []
    independent = [a for a in addrs if plain[a] == run_answer.get(a)]
    for a in independent:
        problems += compare_route(first[a], plain[a])
    report.result("%s: cfkit queue route = sendmail /parse" % label, problems,
                  "%d addresses, %d rejected, %d whose triple depends on the qf's macros"
                  % (len(independent), sum(1 for a in independent if plain[a][0] in (None, "*error*")),
                     len(addrs) - len(independent)))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cfkit", default=str(ROOT / "build/cfkit"))
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args(argv)
    cfkit = pathlib.Path(args.cfkit).resolve()
    if not os.access(cfkit, os.X_OK):
        print("routediff: %s: no such program (build it first)" % cfkit, file=sys.stderr)
        return 2
    if os.geteuid() != 0:
        print("routediff: needs root (unshare -u -m: the same host name and hosts file for both programs)",
              file=sys.stderr)
        return 2
    t0 = time.monotonic()
    work = workdir.make("routediff-")
    report = Report()
    try:
        env = Env(difftest.oracle_dir(), work, cfkit)
        seed = SEED_MC.read_text()
        if "MAILER(local)" not in seed:
            raise HarnessError("%s: no MAILER(local) line to put the changes before" % SEED_MC)
        base = env.m4(seed, "base")
        changed = env.m4(seed.replace("MAILER(local)", CHANGES.replace("@DIR@", str(work)) + "MAILER(local)", 1) +
                         CHANGES_END, "changed")
        subprocess.run([str(env.makemap), "-C", str(changed), "hash", str(work / "mailertable")],
                       input=MAILERTABLE.encode(), check=True, capture_output=True)
        qdir = work / "mqueue"
        qdir.mkdir(mode=0o700)
        for n, (_, rcpts) in enumerate(QUEUED):
            env.queue(base, qdir, rcpts, n)
        queued = read_queue(qdir)
        if len(queued) != len(QUEUED):
            raise HarnessError("sendmail -odq queued %d of %d messages" % (len(queued), len(QUEUED)))
        template = sorted(queued)[0]
        write_message(qdir, template, template[:-1] + ("A" if template[-1] != "A" else "B"), WRITTEN)
        latin1 = work / "mqueue-latin1"
        latin1.mkdir(mode=0o700)
        for n, (_, rcpts) in enumerate(LATIN1):
            env.queue(base, latin1, rcpts, n, "latin-1")
        print("# %d messages queued by sendmail -odq, one written (%.1f s)"
              % (len(QUEUED) + len(LATIN1), time.monotonic() - t0), flush=True)
        for label, cf in (("base config", base), ("changed config", changed)):
            check_config(env, report, label, cf, qdir)
        check_config(env, report, "ISO 8859-1 queue, base config", base, latin1)
    except (HarnessError, OSError, subprocess.SubprocessError) as e:
        print("routediff: %s" % e, file=sys.stderr)
        return 2
    finally:
        if args.keep:
            print("routediff: work directory %s" % work, file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed (%.1f s)" % (report.passed, report.failed, time.monotonic() - t0))
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
