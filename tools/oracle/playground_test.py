#!/usr/bin/env python3
"""The browser playground against `cfkit bt`, in headless Chromium.

    tools/oracle/playground_test.py [--page build/playground/index.html]
        [--cfkit build/cfkit] [--screenshots DIR] [--chromium PATH]
        [--only WORD]

For each case (rules and input lines) the page is opened as

    file:///.../index.html#cf=<base64url of the rules>&input=<the lines, %0A between>

and the text of its #output is compared with what

    cfkit bt -C playground.cf --hostname mail.example.com --no-interfaces \\
        --hosts-file /dev/null  < input

prints after its two banner lines (run in a directory holding only
playground.cf: the page's file has that name, and the page has no hosts
file); the page's exit status (#exit-status) with cfkit's. Then the page as
a person uses it: typing a line (#output follows, the fragment records the
new state with &v=), a link from another version (a notice outside
#output), the page without a fragment (the seed's example), and a loading
state that shows. One line a check (`ok   NAME`, or `FAIL NAME` and the
difference), a screenshot of each case in --screenshots (default:
screenshots/ beside the page), the page's size, the inlined WebAssembly's
size and the time from navigation to the first result, then "N passed, N
failed". Exit status 1 if a check failed (or the wasm is over 2 MB, or the
median first result over 1 s), 2 if the harness failed.

Chromium is driven over the DevTools protocol with a small WebSocket client
written here (python3 alone: no websocket module needed); as root it runs
with --no-sandbox. A run takes about 20 s.
"""
import argparse
import base64
import json
import os
import re
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BANNER = "ADDRESS TEST MODE (ruleset 3 NOT automatically invoked)\nEnter <ruleset> <address>\n"
WASM_BUDGET = 2_000_000   # bytes
FIRST_RESULT_BUDGET = 1000  # ms, the median over the cases


class HarnessError(Exception):
    pass


# ---- a DevTools-protocol client over a minimal WebSocket (RFC 6455) ---------

class DevTools:
    def __init__(self, ws_url, timeout=30):
        u = urllib.parse.urlparse(ws_url)
        self.sock = socket.create_connection((u.hostname, u.port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {u.path} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\n"
                           "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise HarnessError("DevTools closed the connection during the handshake")
            head += chunk
        head, self.buf = head.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise HarnessError("DevTools refused the WebSocket: " + head.decode(errors="replace"))
        self.next_id = 0
        self.events = []

    def _exact(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(max(65536, n - len(self.buf)))
            if not chunk:
                raise HarnessError("DevTools closed the connection")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _send(self, payload, opcode=1):
        n = len(payload)
        head = bytes([0x80 | opcode])
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        m = int.from_bytes((mask * (n // 4 + 1))[:n], "big") if n else 0
        body = (int.from_bytes(payload, "big") ^ m).to_bytes(n, "big") if n else b""
        self.sock.sendall(head + mask + body)

    def _message(self):
        data = b""
        while True:
            b0, b1 = self._exact(2)
            opcode, n = b0 & 0x0F, b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._exact(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._exact(8))[0]
            mask = self._exact(4) if b1 & 0x80 else None
            payload = self._exact(n)
            if mask:
                payload = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
            if opcode == 8:
                raise HarnessError("DevTools closed the WebSocket")
            if opcode == 9:
                self._send(payload, opcode=10)
                continue
            if opcode in (0, 1, 2):
                data += payload
                if b0 & 0x80:
                    return json.loads(data)

    def call(self, method, **params):
        self.next_id += 1
        self._send(json.dumps({"id": self.next_id, "method": method, "params": params}).encode())
        while True:
            msg = self._message()
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise HarnessError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def evaluate(self, expression):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise HarnessError(f"page script failed: {expression}: {r['exceptionDetails']}")
        return r["result"].get("value")


class Chromium:
    def __init__(self, binary):
        self.profile = tempfile.mkdtemp(prefix="cfkit-playground-chromium.")
        args = [binary, "--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
                "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio", "--window-size=1440,900",
                "--remote-debugging-port=0", f"--user-data-dir={self.profile}", "about:blank"]
        if os.geteuid() == 0:
            args.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.time() + 30
        while not os.path.exists(port_file) or os.path.getsize(port_file) == 0:
            if self.proc.poll() is not None:
                raise HarnessError(f"{binary} exited with status {self.proc.returncode}")
            if time.time() > deadline:
                raise HarnessError(f"{binary} did not open its DevTools port")
            time.sleep(0.05)
        time.sleep(0.1)
        port = open(port_file).read().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            pages = [t for t in json.load(r) if t.get("type") == "page"]
        if not pages:
            raise HarnessError("Chromium has no page open")
        self.tab = DevTools(pages[0]["webSocketDebuggerUrl"])
        self.tab.call("Page.enable")
        self.tab.call("Runtime.enable")

    def close(self):
        try:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)

    def open(self, url, wait=True):
        """Loads `url` as a new document (about:blank first: a change of
        fragment alone would not reload the page)."""
        self.tab.call("Page.navigate", url="about:blank")
        self.wait_for("location.href === 'about:blank' && document.readyState === 'complete'")
        self.tab.call("Page.navigate", url=url)
        if wait:
            self.wait_for("document.documentElement.dataset.state === 'ready' || "
                          "document.documentElement.dataset.state === 'error'")

    def wait_for(self, condition, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if self.tab.evaluate(f"!!({condition})"):
                    return
            except HarnessError:
                pass  # the document is being replaced
            time.sleep(0.02)
        raise HarnessError(f"timed out waiting for {condition}")

    def screenshot(self, path):
        data = self.tab.call("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))


# ---- the cases ----------------------------------------------------------------

def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def cases():
    """(name, rules, input lines): the seed, the lessons (the page's
    examples), and small rule sets for each operator, .D, the commands
    and the errors."""
    lessons = os.path.join(TOP, "rulesets", "lessons")
    out = [("seed-helo", read(os.path.join(TOP, "testcases/examples/seed-helo.cf")),
            read(os.path.join(TOP, "testcases/examples/seed-helo.in")))]
    for n in sorted(os.listdir(lessons)) if os.path.isdir(lessons) else []:
        if n.endswith(".cf"):
            out.append(("lesson-" + n[:-3], read(os.path.join(lessons, n)),
                        read(os.path.join(lessons, n[:-3] + ".in"))))
    out += [
        ("calls-triples-and-D",
         "V10\nCw example.com\nMlocal,\tP=/bin/true, F=lsDFM, A=true\nMesmtp,\tP=[IPC], F=mDFMuX, A=TCP $h\n"
         "SCanonify\nR$* < $* > $*\t\t$2\nR$+ @ $+\t\t$: $1 < @ $2 . >\n"
         "SParse\nR$+ < @ $=w . >\t\t$#local $: $1\n"
         "R$+ < @ $&{relay} . >\t$#esmtp $@ [$&{relay}] $: $1 < @ $&{relay} . >\n"
         "R$+ < @ $+ . >\t\t$#esmtp $@ $2 $: $1 < @ $2 . >\n"
         "R$*\t\t\t$#error $@ 5.1.3 $: \"553 not an address: \" $1\n"
         "SRoute\nR$*\t\t\t$: $>Canonify $1\nR$*\t\t\t$@ $>Parse $1\n",
         "Route <user@example.com>\nRoute user@other.test\n.D{relay}gateway.test\nRoute user@gateway.test\n"
         "Route nobody\nCanonify,Parse user@example.com\n/parse user@other.test\n=M\n"),
        ("wildcards-only-SR",  # no V line, no mailers: just rules
         "Stest\n"
         "R$* < $* > $*\t$2\n"
         "R$- @ $+\t$: $1 one-token $2\n"
         "R$+ @ $+\t$@ $1 at $2\n"
         "R$@\t$@ nothing\n",
         "test <a@b.c>\ntest first.last@example.com\ntest a@b\ntest <>\ntest\n"),
        ("class-w-and-calls",
         "V10\nCw example.com\nC{Friends} example.net\n"
         "Sinner\nR$+\t$: [ $1 ]\n"
         "Souter\nR$+ @ $=w\t$# local $: $1\n"
         "R$+ @ $={Friends}\t$@ $>inner $1\n"
         "R$+ @ $~w\t$# esmtp $@ $2 $: $1 @ $2\n"
         "R$*\t$# error $@ 5.1.1 $: \"550 no\"\n",
         "outer a@example.com\nouter a@mail.example.com\nouter b@example.net\n"
         "outer c@elsewhere.test\nouter\n$=w\n$={Friends}\n=Souter\n"),
        ("numbered-rulesets-3-0",
         "V10\nS3\nR$* < $+ > $*\t$2\nS0\nR$+ @ $+\t$#esmtp $@ $2 $: $1\nR$+\t$#local $: $1\n",
         "3,0 user@example.com\n3,0 <me@example.org>\n3,0 justme\n0 a@b\n"),
        ("macros-D",
         "V10\nScheck\nR$*\t$: $1 $| $&{client_addr} $| $&s\n"
         "R$* $| 192.0.2.1 $| $*\t$@ trusted $1\n"
         "R$* $| $* $| $*\t$# error $: \"550 who are you, \" $3\n",
         ".D{client_addr}192.0.2.1\n.Dshelo.test\ncheck x\n.D{client_addr}198.51.100.7\n"
         "check y\n${client_addr}\n$s\n.D{client_addr}\ncheck z\n"),
        ("errors",
         "V10\nSone\nR$+\t$: $2\nR$*\t$@ $>nosuch $1\nR$* $=Q\t$@ q\nbogus line\nStwo\nR$*\t$: x $1\n",
         "one a\nnosuch a\ntwo b\nthree,two c\n=Snosuch\n/map nomap key\n.Cz\n$=z\n/tryflags hs\n"
         "/quit\ntwo never-read\n"),
        ("loop-and-recursion",
         "V10\nSloop\nR$*\t$: $1 x\nSrec\nR$*\t$: $>rec $1\n",
         "loop a\nrec b\n"),
        ("trace-d21",
         "V10\nCw example.com\nSt\nR$+ @ $=w\t$@ $1\nR$* < $* >\t$2\n",
         "-d21.12\nt <a@example.com>\nt b@example.com\n-d21.0\nt c\n"),
        ("quoting-and-operators",
         "V10\nO OperatorChars=.:%@!^/[]+\nSt\nR$* % $*\t$1 @ $2\nR$+ ! $+\t$2 @ $1\n",
         "t \"quoted name\" <a%b@c>\nt host!user\nt a(comment)@b\nt <<nested>>\nt a@b)\nt \"unbalanced\n"),
        ("long-line-fgets", "V10\nSt\nR$*\t$@ $1\n", "t " + "word." * 500 + "end\nt short\n"),
        ("utf8", "V10\nSt\nR$+ @ $+\t$@ $2 $1\n", "t jörg@exämple.test\n"),
        ("config-stops", "V10\nSt\nR$*\t$@ $1\nO DeliveryMode=x\n", "t a\n"),  # sendmail exits
    ]
    return out


def fragment(cf, text):
    return ("cf=" + base64.urlsafe_b64encode(cf.encode()).decode().rstrip("=")
            + "&input=" + urllib.parse.quote(text.rstrip("\n"), safe=""))


def cfkit_bt(cfkit, cf, text):
    """cfkit bt's output without its banner, and its exit status."""
    with tempfile.TemporaryDirectory(prefix="cfkit-playground.") as d:
        with open(os.path.join(d, "playground.cf"), "w", encoding="utf-8") as f:
            f.write(cf)
        env = dict(os.environ, USER="root")
        try:
            p = subprocess.run([cfkit, "bt", "-C", "playground.cf", "--hostname", "mail.example.com",
                                "--no-interfaces", "--hosts-file", "/dev/null"],
                               input=text.encode(), cwd=d, env=env, capture_output=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise HarnessError(f"cannot run {cfkit}: {e}")
    out = p.stdout.decode("utf-8", errors="replace")
    if BANNER in out:
        out = out.replace(BANNER, "", 1)
    return out, p.returncode


def shown(s):
    return s.encode("unicode_escape").decode()[:2000]


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            break
    else:
        i = min(len(a), len(b))
    line = a.count("\n", 0, i) + 1
    return f"at character {i} (line {line}):\n  page:  {shown(a[max(0, i - 60):i + 100])}\n  cfkit: {shown(b[max(0, i - 60):i + 100])}"


class Report:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"ok   {name}")
        else:
            self.failed += 1
            print(f"FAIL {name}")
            if detail:
                print("     " + detail.replace("\n", "\n     "))
        sys.stdout.flush()


def page_state(ch):
    return ch.tab.evaluate("""({
        output: document.getElementById('output').textContent,
        exit: document.getElementById('exit-status').textContent,
        notice: document.getElementById('notice').hidden ? '' : document.getElementById('notice').textContent,
        hash: location.hash,
        runs: window.cfkitPlayground ? window.cfkitPlayground.runs : 0,
        first: window.cfkitPlayground ? window.cfkitPlayground.firstResultMs : null,
        state: document.documentElement.dataset.state,
        explained: document.querySelectorAll('#explanation .att').length,
        version: document.querySelector('meta[name="cfkit-version"]').content,
    })""")


def compare(rep, name, st, cf, text, cfkit):
    want, status = cfkit_bt(cfkit, cf, text)
    got = st["output"]
    rep.check(f"{name}: #output = cfkit bt", got == want, first_difference(got, want) if got != want else "")
    m = re.match(r"exit status (\d+)", st["exit"])
    got_status = int(m.group(1)) if m else None
    rep.check(f"{name}: exit status {status}", got_status == status, f"page: {st['exit']!r}")


def parse_fragment(h):
    fields = dict(p.split("=", 1) for p in h.lstrip("#").split("&") if "=" in p)
    cf = base64.urlsafe_b64decode(fields.get("cf", "") + "=" * (-len(fields.get("cf", "")) % 4)).decode()
    return cf, urllib.parse.unquote(fields.get("input", "")), urllib.parse.unquote(fields.get("v", ""))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--page", default=os.path.join(TOP, "build", "playground", "index.html"))
    ap.add_argument("--cfkit", default=os.path.join(TOP, "build", "cfkit"))
    ap.add_argument("--screenshots", help="directory for the PNGs (default: screenshots/ beside the page)")
    ap.add_argument("--chromium", help="the browser (default: chromium, chromium-browser or google-chrome on PATH)")
    ap.add_argument("--only", help="only the cases whose names contain this")
    a = ap.parse_args()

    page = os.path.abspath(a.page)
    a.cfkit = os.path.abspath(a.cfkit)  # it runs in a directory of its own
    for path, what in ((page, "the page"), (a.cfkit, "cfkit")):
        if not os.path.exists(path):
            print(f"playground_test: {what} not found: {path}", file=sys.stderr)
            return 2
    binary = a.chromium or next((b for b in ("chromium", "chromium-browser", "google-chrome")
                                 if shutil.which(b)), None)
    if not binary:
        print("playground_test: no chromium on PATH (apt-get install chromium)", file=sys.stderr)
        return 2
    shots = os.path.abspath(a.screenshots or os.path.join(os.path.dirname(page), "screenshots"))
    os.makedirs(shots, exist_ok=True)

    # The sizes: the page, and the WebAssembly inlined in it as base64.
    html = read(page)
    m = re.search(r"data:application/octet-stream;base64,([A-Za-z0-9+/=]+)", html)
    wasm = len(base64.b64decode(m.group(1))) if m else 0
    page_bytes = os.path.getsize(page)

    rep = Report()
    base = "file://" + urllib.parse.quote(page)
    times = []
    ch = Chromium(binary)
    try:
        for name, cf, text in cases():
            if a.only and a.only not in name:
                continue
            ch.open(base + "#" + fragment(cf, text))
            st = page_state(ch)
            if st["state"] != "ready":
                rep.check(f"{name}: page ready", False, f"state {st['state']!r}")
                continue
            times.append(st["first"])
            compare(rep, name, st, cf, text, a.cfkit)
            if name == "seed-helo":
                rep.check(f"{name}: explanation shown", st["explained"] > 0,
                          "no rule in the explanation pane")
            ch.screenshot(os.path.join(shots, name + ".png"))

        if not a.only:
            interaction_checks(ch, rep, base, a.cfkit, shots)
    except HarnessError as e:
        print(f"playground_test: {e}", file=sys.stderr)
        return 2
    finally:
        ch.close()

    median = statistics.median(times) if times else None
    print(f"page: {page_bytes} bytes; WebAssembly inlined in it: {wasm} bytes (budget {WASM_BUDGET})")
    if times:
        print(f"navigation to first result: median {median:.0f} ms, max {max(times):.0f} ms "
              f"over {len(times)} loads (budget {FIRST_RESULT_BUDGET} ms for the median)")
    print(f"screenshots: {shots}")
    rep.check("WebAssembly under 2 MB", 0 < wasm < WASM_BUDGET, f"{wasm} bytes")
    if times:
        rep.check("first result under 1 s", median < FIRST_RESULT_BUDGET, f"median {median:.0f} ms")
    print(f"{rep.passed} passed, {rep.failed} failed")
    return 1 if rep.failed else 0


def interaction_checks(ch, rep, base, cfkit, shots):
    """The page as a person uses it."""
    seed_cf = read(os.path.join(TOP, "testcases/examples/seed-helo.cf"))
    seed_in = read(os.path.join(TOP, "testcases/examples/seed-helo.in"))

    # No fragment: the seed's example, and the URL stays clean until an edit.
    ch.open(base)
    st = page_state(ch)
    compare(rep, "no-fragment (the seed's example)", st, seed_cf, seed_in, cfkit)
    rep.check("no-fragment: URL unchanged", st["hash"] == "", st["hash"])
    ch.screenshot(os.path.join(shots, "no-fragment.png"))

    # Typing a line at the end of the input: #output follows, and the
    # fragment holds the new state and the version.
    runs = st["runs"]
    ch.tab.evaluate("(() => { const t = document.getElementById('input'); t.focus();"
                    " t.setSelectionRange(t.value.length, t.value.length); })()")
    typed = "\n.Dsbogus\ncheck_mail <x@y.test>"
    ch.tab.call("Input.insertText", text=typed)
    ch.wait_for(f"window.cfkitPlayground.runs > {runs}")
    time.sleep(0.1)  # one run per burst of typing: let the last one land
    st = page_state(ch)
    text = seed_in.rstrip("\n") + typed
    compare(rep, "typing", st, seed_cf, text, cfkit)
    cf, inp, v = parse_fragment(st["hash"])
    rep.check("typing: the fragment holds the rules, the input and the version",
              (cf, inp, v) == (seed_cf, text, st["version"]),
              f"cf equal: {cf == seed_cf}, input: {inp!r}, v: {v!r} (page {st['version']!r})")
    ch.screenshot(os.path.join(shots, "typing.png"))

    # Editing the rules: the same.
    runs = st["runs"]
    ch.tab.evaluate("(() => { const t = document.getElementById('rules'); t.focus();"
                    " t.setSelectionRange(t.value.length, t.value.length); })()")
    ch.tab.call("Input.insertText", text="Sextra\nR$*\t$@ extra $1\n")
    ch.wait_for(f"window.cfkitPlayground.runs > {runs}")
    time.sleep(0.1)
    st = page_state(ch)
    compare(rep, "editing the rules", st, seed_cf + "Sextra\nR$*\t$@ extra $1\n", text, cfkit)

    # The link just made, opened again: the same output, no notice.
    link = base + st["hash"]
    ch.open(link)
    st2 = page_state(ch)
    rep.check("link reopened: same #output", st2["output"] == st["output"],
              first_difference(st2["output"], st["output"]))
    rep.check("link reopened: no version notice", st2["notice"] == "", st2["notice"])

    # A link from another version: a notice, outside #output.
    ch.open(base + "#" + fragment(seed_cf, seed_in) + "&v=0.0.1-elsewhere")
    st = page_state(ch)
    rep.check("other version: notice", "0.0.1-elsewhere" in st["notice"] and st["version"] in st["notice"],
              repr(st["notice"]))
    compare(rep, "other version", st, seed_cf, seed_in, cfkit)
    ch.screenshot(os.path.join(shots, "other-version.png"))

    # The loading state: with the CPU slowed down, the page shows it before
    # the first result.
    ch.tab.call("Emulation.setCPUThrottlingRate", rate=20)
    try:
        ch.open(base + "#" + fragment(seed_cf, seed_in), wait=False)
        seen = None
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                s = ch.tab.evaluate("document.documentElement && document.getElementById('status') ?"
                                    " [document.documentElement.dataset.state,"
                                    "  document.getElementById('status').textContent] : null")
            except HarnessError:
                s = None
            if s and s[0] == "loading" and "Loading" in s[1]:
                seen = s[1]
                ch.screenshot(os.path.join(shots, "loading.png"))
                break
            if s and s[0] == "ready":
                break
            time.sleep(0.01)
        rep.check("loading state visible", seen is not None, "the page was never seen loading")
        ch.wait_for("document.documentElement.dataset.state === 'ready'", timeout=30)
    finally:
        ch.tab.call("Emulation.setCPUThrottlingRate", rate=1)


if __name__ == "__main__":
    sys.exit(main())
