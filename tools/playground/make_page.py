#!/usr/bin/env python3
"""Puts the playground together: page.html with page.css, page.js, the
engine (emcc's JavaScript with the WebAssembly inlined, -sSINGLE_FILE=1),
the examples and the version, into one file that works opened as a
file:// page. Writes the output only when its bytes change.

    make_page.py --engine ENGINE.js --out INDEX.html --source-dir TOP
                 --base-version 0.1.0
"""
import argparse
import base64
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def version(source_dir, base):
    """The project's version and the commit: "0.1.0-be1e9d5" ("-dirty"
    when the tree has changes); the bare version outside a git checkout."""
    try:
        out = subprocess.run(["git", "-C", source_dir, "describe", "--always", "--dirty", "--abbrev=10"],
                             capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return base
    d = out.stdout.strip()
    if out.returncode != 0 or not d:
        return base
    return d if d.startswith(("v" + base, base)) else base + "-" + d


def examples(source_dir):
    """The seed's HELO check first, then the lessons (rulesets/lessons/,
    each NAME.cf with its NAME.in)."""
    lessons = os.path.join(source_dir, "rulesets", "lessons")
    paths = [os.path.join(source_dir, "testcases", "examples", "seed-helo.cf")]
    if os.path.isdir(lessons):
        paths += [os.path.join(lessons, n) for n in sorted(os.listdir(lessons)) if n.endswith(".cf")]
    out = []
    for cf_path in paths:
        with open(cf_path, encoding="utf-8") as f:
            cf = f.read()
        with open(cf_path[:-3] + ".in", encoding="utf-8") as f:
            text = f.read()
        title = "The seed's HELO check" if cf_path == paths[0] else lesson_title(cf_path, cf)
        out.append({"title": title, "cf": cf, "input": text.rstrip("\n")})
    return out


def lesson_title(path, cf):
    """"Lesson 2: who is talking?": the first sentence of the first
    comment when it is short, else the words of the file name."""
    block = []
    for line in cf.splitlines():
        if line.startswith("#"):
            block.append(line[1:].strip())
        elif block:
            break
    first = re.split(r"(?<=[.?!])\s", " ".join(block))[0].rstrip(".")
    m = re.match(r"(\d+)-(.*)\.cf$", os.path.basename(path))
    if m and (len(first) > 60 or not first.startswith("Lesson")):
        return f"Lesson {int(m.group(1))}: " + m.group(2).replace("-", " ")
    return first or os.path.basename(path)


def script_safe(text):
    """Text for inside <script>: "</script" would end the element early."""
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.I)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--engine", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--base-version", required=True)
    ap.add_argument("--max-wasm-bytes", type=int, default=2_000_000,
                    help="fail when the WebAssembly is larger (the playground's budget: 2 MB)")
    a = ap.parse_args()

    def read(name):
        with open(os.path.join(HERE, name), encoding="utf-8") as f:
            return f.read()

    with open(a.engine, encoding="utf-8") as f:
        engine = f.read()
    m = re.search(r"data:application/octet-stream;base64,([A-Za-z0-9+/=]+)", engine)
    if not m:
        sys.exit(f"make_page.py: {a.engine} has no inlined WebAssembly (emcc -sSINGLE_FILE=1)")
    wasm_bytes = len(base64.b64decode(m.group(1)))
    if wasm_bytes > a.max_wasm_bytes:
        sys.exit(f"make_page.py: the WebAssembly is {wasm_bytes} bytes, over the budget of {a.max_wasm_bytes}")
    ver = version(a.source_dir, a.base_version)
    parts = {
        "VERSION": ver.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;"),
        "CSS": read("page.css"),
        "EXAMPLES": script_safe(json.dumps(examples(a.source_dir), ensure_ascii=False)),
        "ENGINE": script_safe(engine),
        "PAGE": script_safe(read("page.js")),
    }
    page = re.sub(r"@(VERSION|CSS|EXAMPLES|ENGINE|PAGE)@", lambda m: parts[m.group(1)], read("page.html"))
    data = page.encode("utf-8")
    try:
        with open(a.out, "rb") as f:
            if f.read() == data:
                return
    except OSError:
        pass
    tmp = a.out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, a.out)
    print(f"playground: {a.out} ({len(data)} bytes, WebAssembly {wasm_bytes} bytes, cfkit {ver})")


if __name__ == "__main__":
    main()
