#!/usr/bin/env python3
"""Checks that engine/ stages include only their own stage and lower ones,
and that rulesets/ (the generator, above them all) includes no PEGTL and
nothing of the program.

The stages, lowest first, are the order data flows through cfkit (README,
"Architecture"). A file may include headers of its own stage, of a lower
stage, or of grammar/ (for the AST's positions; never PEGTL itself).
Tests (*_test.cpp) and engine/testing/ may include anything: they drive
the whole pipeline.

  tools/check_layers.py        exit 0, or 1 with a line per violation
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
STAGES = ["text", "names", "config", "rewrite", "mail", "testmode", "smtp", "lint", "queue", "explain", "replay"]
# testmode and smtp are both fronts on mail; neither may include the other
SIBLINGS = {("testmode", "smtp"), ("smtp", "testmode")}
# queue, too, sits on mail (route runs ruleset 0); it needs no server
SIBLINGS |= {("queue", s) for s in ("testmode", "smtp", "lint")}
# explain sits on testmode (-bt lines) and needs nothing of the fronts beside it
SIBLINGS |= {("explain", s) for s in ("smtp", "lint", "queue")}
# replay runs sessions on the SMTP server and needs none of the other tools
SIBLINGS |= {("replay", s) for s in ("testmode", "lint", "queue", "explain")}
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^">]+)[">]', re.M)


def main():
    bad = []
    for path in sorted((ROOT / "engine").rglob("*.[ch]pp")):
        rel = path.relative_to(ROOT)
        stage = rel.parts[1]
        if stage == "testing" or path.name.endswith("_test.cpp"):
            continue
        if stage not in STAGES:
            bad.append(f"{rel}: not in a stage folder ({', '.join(STAGES)})")
            continue
        for m in INCLUDE.finditer(path.read_text()):
            inc = m.group(1)
            line = path.read_text().count("\n", 0, m.start()) + 1
            if "pegtl" in inc:
                bad.append(f"{rel}:{line}: includes PEGTL ({inc}); only grammar/ may")
            elif inc.startswith("engine/"):
                target = inc.split("/")[1]
                if target not in STAGES:
                    bad.append(f"{rel}:{line}: includes {inc}, outside the stages")
                elif STAGES.index(target) > STAGES.index(stage) or (stage, target) in SIBLINGS:
                    bad.append(f"{rel}:{line}: stage {stage} includes {inc} (stage {target})")
            elif inc.startswith("tools/"):
                bad.append(f"{rel}:{line}: includes {inc}; the library never includes the program")
            elif inc.startswith("rulesets/"):
                bad.append(f"{rel}:{line}: includes {inc}; the engine never includes the generator above it")
    # the generator sits on the engine: anything below, never the program
    for path in sorted((ROOT / "rulesets").rglob("*.[ch]pp")):
        rel = path.relative_to(ROOT)
        text = path.read_text()
        for m in INCLUDE.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            if m.group(1).startswith("tools/") or "pegtl" in m.group(1):
                bad.append(f"{rel}:{line}: includes {m.group(1)}; rulesets/ uses only engine/ and grammar/'s AST")
    for b in bad:
        print(b)
    print(f"check_layers: {len(bad)} violation(s)" if bad else "check_layers: ok")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
