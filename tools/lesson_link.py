#!/usr/bin/env python3
"""A playground link for a lesson (or any .cf snippet and -bt input).

  tools/lesson_link.py rulesets/lessons/05-star-versus-plus [--page build/playground/index.html]

Prints file:///.../index.html#cf=<base64url of the rules>&input=<the input
lines, URL-encoded, %0A between them>: the state the playground reads from
its URL fragment. NAME.cf and NAME.in are read (NAME may end in .cf).
"""

import argparse
import base64
import pathlib
import sys
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parent.parent


def fragment(cf_text, input_text):
    # the playground reads the rules as UTF-8 (the lessons are ASCII)
    cf = base64.urlsafe_b64encode(cf_text.encode("utf-8")).decode().rstrip("=")
    lines = input_text.rstrip("\n").split("\n")
    inp = "%0A".join(urllib.parse.quote(l, safe="") for l in lines)
    return "cf=%s&input=%s" % (cf, inp)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("lesson")
    ap.add_argument("--page", default=str(ROOT / "build/playground/index.html"))
    args = ap.parse_args()
    base = pathlib.Path(args.lesson[:-3] if args.lesson.endswith(".cf") else args.lesson)
    cf, inp = base.with_suffix(".cf"), base.with_suffix(".in")
    for f in (cf, inp):
        if not f.exists():
            print("lesson_link: %s: no such file" % f, file=sys.stderr)
            return 2
    page = pathlib.Path(args.page).resolve()
    print("file://%s#%s" % (urllib.parse.quote(str(page)), fragment(cf.read_text(encoding="utf-8"),
                                                                  inp.read_text(encoding="utf-8"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
