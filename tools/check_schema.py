#!/usr/bin/env python3
"""rulesets/schema.json against the policies cfkit reads.

    tools/check_schema.py [--cfkit build/cfkit]

Every sample policy (rulesets/samples/*.json) must satisfy the schema and
be accepted by `cfkit gen`; every policy of testcases/cli that cfkit refuses
for its content must break the schema too, unless the schema cannot say it
(listed below). Needs Debian's python3-jsonschema.
"""
import argparse
import json
import pathlib
import re
import subprocess
import sys

import jsonschema

ROOT = pathlib.Path(__file__).resolve().parent.parent

# refused by cfkit for reasons a JSON schema cannot express
BEYOND_SCHEMA = {"gen-refused.json"}


def strip_comments(text):
    out = []
    for line in text.splitlines():
        out.append("" if line.lstrip().startswith("//") else line)
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cfkit", default=str(ROOT / "build/cfkit"))
    args = ap.parse_args()
    schema = json.loads((ROOT / "rulesets/schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    v = jsonschema.Draft202012Validator(schema)
    bad = 0
    for p in sorted((ROOT / "rulesets/samples").glob("*.json")) + sorted((ROOT / "testcases/cli").glob("gen-*.json")):
        text = p.read_text()
        try:
            doc = json.loads(strip_comments(text))
            errors = [e.message for e in v.iter_errors(doc)]
        except json.JSONDecodeError as e:
            errors = ["not JSON: %s" % e]
        accepted = subprocess.run([args.cfkit, "gen", str(p)], capture_output=True).returncode == 0
        sample = p.parent.name == "samples"
        if sample and (errors or not accepted):
            print("FAIL %s: a sample must satisfy the schema and cfkit: %s" % (p.name, errors or "cfkit refused it"))
            bad += 1
        elif not sample and accepted != (not errors) and p.name not in BEYOND_SCHEMA:
            print("FAIL %s: cfkit %s it, the schema %s it" % (p.name, "accepts" if accepted else "refuses",
                                                              "refuses" if errors else "accepts"))
            bad += 1
        else:
            print("ok   %s" % p.name)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
