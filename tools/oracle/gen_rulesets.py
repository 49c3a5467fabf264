#!/usr/bin/env python3
"""Random sendmail rulesets and -bt inputs for the differential suite.

  gen_rulesets.py --out DIR [--configs N] [--inputs M] [--first-seed S] [--no-maps]

writes DIR/rand_SSSS.cf and DIR/rand_SSSS.in for seeds S..S+N-1. The same
arguments always give the same bytes (random.Random(seed), nothing else).
The configs use every LHS operator, the RHS forms, calls, read-time and
run-time macros, classes (multi-token members too), map lookups in classes
that need no files, and rules built to reach the loop, recursion and
expansion limits; nothing depends on the machine (no $=w, no host map).
"""

import argparse
import os
import random

WORDS = ["a", "b", "c", "user", "host", "example", "com", "Foo", "BAR", "x1"]
OPS = ["@", ".", "<", ">", ":", "[", "]", "!", "%"]
CLASS_WORDS = ["a", "b", "example.com", "foo.bar", "[127.0.0.1]", "192.168", "user", "x1", "Host"]
SIMPLE_MACROS = {"x": "a.b", "y": "user", "z": "(comment) c"}
LONG_MACROS = {"mac": "example.com", "empty": ""}


class Gen:
    def __init__(self, seed, use_maps):
        self.r = random.Random(seed)
        self.seed = seed
        self.use_maps = use_maps and self.r.random() < 0.35
        self.v8 = self.r.random() < 0.15
        self.rulesets = []
        self.patterns = []  # (ruleset, LHS elements) for inputs that match
        self.classes = {}

    def pick(self, seq):
        return self.r.choice(seq)

    # ---- LHS / RHS pieces ------------------------------------------------
    def lhs(self):
        parts = []
        wild = 0
        for _ in range(self.r.randint(1, 6)):
            k = self.r.random()
            if k < 0.30 and wild < 9:
                parts.append(self.pick(["$*", "$+", "$-", "$*", "$+"]))
                wild += 1
            elif k < 0.40 and wild < 9:
                parts.append(self.pick(["$=X", "$~X", "$={Cls}", "$=Y"]))
                wild += 1
            elif k < 0.47:
                parts.append(self.pick(["$&x", "$&y", "$&{mac}", "$&{empty}", "$&q"]))
            elif k < 0.50:
                parts.append("$@")
            elif k < 0.75:
                parts.append(self.pick(OPS))
            elif k < 0.80:
                parts.append('"%s %s"' % (self.pick(WORDS), self.pick(WORDS)))
            else:
                parts.append(self.pick(WORDS))
        sep = self.pick(["", " "])
        self.last_lhs = parts
        return sep.join(parts), wild

    def rhs(self, wild, names):
        parts = []
        k = self.r.random()
        if k < 0.35 or (names and k < 0.6):
            parts.append("$:")
        elif k < 0.60 or names:
            parts.append("$@")
        for _ in range(self.r.randint(0, 6)):
            k = self.r.random()
            if k < 0.35 and wild:
                parts.append("$%d" % self.r.randint(1, wild))
            elif k < 0.38:
                parts.append("$%d" % self.r.randint(1, 9))  # sometimes out of bounds
            elif k < 0.50 and names:
                parts.append("$>" + self.pick(names))
            elif k < 0.56:
                parts.append(self.pick(["$&x", "$&y", "$&z", "$&{mac}", "$&q"]))
            elif k < 0.60:
                parts.append(self.pick(["$j", "$x", "${mac}", "$?x yes $| no $.", "$?q Q $."]))
            elif k < 0.63:
                parts.append("$|")
            elif k < 0.66:
                parts.append("$# local $: $1" if wild else "$# local $: u")
            elif k < 0.72 and self.use_maps:
                parts.append(self.map_lookup(wild))
            elif k < 0.85:
                parts.append(self.pick(OPS))
            else:
                parts.append(self.pick(WORDS))
        if not parts:
            parts.append(self.pick(WORDS))
        if parts[0] not in ("$:", "$@"):
            # A rule without a prefix is applied up to 100 times: if it grew
            # the workspace each time, later patterns with several wildcards
            # would backtrack for hours in both programs. Keep it small.
            seen = set()
            kept = []
            for p in parts:
                if p in seen or p.startswith("$&") or p.startswith("$(") or p in ("$j", "${mac}", "$x"):
                    continue
                seen.add(p)
                kept.append(p)
            parts = kept[:3] or [self.pick(WORDS)]
        return " ".join(parts)

    def map_lookup(self, wild):
        arg = "$%d" % self.r.randint(1, wild) if wild else self.pick(WORDS)
        k = self.r.random()
        if k < 0.25:
            return "$(arith %s $@ %d $@ %d $)" % (self.pick(["+", "-", "*", "/", "l", "=", "%", "?"]),
                                                 self.r.randint(-3, 9), self.r.randint(-3, 9))
        if k < 0.45:
            return "$(dequote %s $)" % arg
        if k < 0.60:
            return "$(re %s $: nomatch $)" % arg
        if k < 0.70:
            return "$(nul %s $: dflt $)" % arg
        if k < 0.80:
            return "$(mac {got} $@ %s $) $&{got}" % arg
        if k < 0.90:
            return "$(nosuchmap %s $)" % arg
        return "$(seq %s $@ a $: d $)" % arg

    # ---- whole config ------------------------------------------------------
    def config(self):
        out = []
        out.append("V8" if self.v8 else "V10")
        if not self.v8 and self.r.random() < 0.5:
            out.append("O OperatorChars=.:%@!^/[]+")
        if self.r.random() < 0.2:
            out.append("O BlankSub=" + self.pick([".", "_", "-"]))
        for k, v in SIMPLE_MACROS.items():
            out.append("D%s%s" % (k, v))
        for k, v in LONG_MACROS.items():
            out.append("D{%s}%s" % (k, v))
        words = self.r.sample(CLASS_WORDS, self.r.randint(2, 6))
        out.append("CX " + " ".join(words))
        cls = self.r.sample(CLASS_WORDS, 3)
        out.append("C{Cls} " + " ".join(cls))
        self.classes = {"X": words, "Cls": cls, "Y": words + ["extra"]}
        out.append("CY $=X extra")
        out.append("Mlocal, P=/bin/true, F=lsDFM, A=true $u")
        if self.use_maps:
            out += ["Karith arith", "Kdequote dequote", "Kre regex -a.M ^[a-c]+$$", "Knul null",
                    "Kmac macro", "Kseq sequence nul dequote"]
        nsets = self.r.randint(3, 7)
        names = ["R%d" % i for i in range(nsets)]
        numbered = self.r.random() < 0.5
        empty = self.pick(names[1:])
        for i, name in enumerate(names):
            if numbered and i == 0:
                out.append("S%s=%d" % (name, self.r.randint(0, 9)))
            else:
                out.append("S" + name)
            if name == empty:
                continue
            # Calls go only to later rulesets, and a rule that calls always has
            # a $: or $@ prefix: otherwise 100 applications per rule at each of
            # 50 levels make runs that neither program finishes.
            callees = names[i + 1:]
            for _ in range(self.r.randint(1, 6)):
                lhs, wild = self.lhs()
                self.patterns.append((name, self.last_lhs))
                out.append("R%s\t%s" % (lhs, self.rhs(wild, callees)))
        # limit reachers
        kind = self.r.randint(0, 3)
        if kind == 0:
            out += ["Sloop", "R$* a\t$1 a"]
        elif kind == 1:
            out += ["Sgrow", "R$*\t$: $1 $1 $1"]
        elif kind == 2:
            out += ["Sdeep", "R$*\t$: $>deep $1"]
        else:
            out += ["Smany", "R$*\t$@ " + " ".join(["$>" + names[0]] * self.r.randint(14, 17)) + " $1"]
        self.rulesets = names + [["loop", "grow", "deep", "many"][kind]]
        return "\n".join(out) + "\n"

    def address(self):
        parts = []
        for _ in range(self.r.randint(1, 8)):
            k = self.r.random()
            if k < 0.45:
                parts.append(self.pick(WORDS + CLASS_WORDS))
            elif k < 0.75:
                parts.append(self.pick(OPS))
            elif k < 0.80:
                parts.append('"q %s"' % self.pick(WORDS))
            elif k < 0.84:
                parts.append("(%s)" % self.pick(WORDS))
            elif k < 0.87:
                parts.append(self.pick(['"unbal', "<", ">", "(", ")", "\\@", "a\\.b"]))
            elif k < 0.90:
                parts.append(",")
            else:
                parts.append(self.pick(["user@example.com", "<a@b.c>", "a.b", "[127.0.0.1]"]))
        return self.pick(["", " "]).join(parts)

    def instance(self, parts):
        """An address the LHS `parts` matches (mostly), to reach the RHS."""
        out = []
        for p in parts:
            if p in ("$*",):
                out += [self.pick(WORDS) for _ in range(self.r.randint(0, 2))]
            elif p in ("$+",):
                out += [self.pick(WORDS) for _ in range(self.r.randint(1, 2))]
            elif p == "$-":
                out.append(self.pick(WORDS))
            elif p.startswith("$=") or p.startswith("$~"):
                name = p[2:].strip("{}")
                members = self.classes.get(name, ["a"])
                if p.startswith("$="):
                    out.append(self.pick(members))
                else:
                    out.append(self.pick([w for w in WORDS if w not in members] or ["zz"]))
            elif p.startswith("$&"):
                name = p[2:].strip("{}")
                out.append(SIMPLE_MACROS.get(name, LONG_MACROS.get(name, "")))
            elif p == "$@":
                pass
            else:
                out.append(p)
        return " ".join(o for o in out if o)

    def inputs(self, n):
        lines = []
        for name in self.rulesets:
            lines.append("=S" + name)
        for _ in range(n):
            k = self.r.random()
            if k < 0.08:
                lines.append(".D%s %s" % (self.pick(["x", "y", "q", "{mac}", "{new}"]), self.address()))
            elif k < 0.12:
                lines.append(".C%s %s" % (self.pick(["X", "{Cls}", "Z"]), self.pick(CLASS_WORDS)))
            elif k < 0.15:
                lines.append(self.pick(["$x", "$q", "${mac}", "$=X", "$={Cls}", "$=Y", "${new}"]))
            elif k < 0.55 and self.patterns:
                name, parts = self.pick(self.patterns)
                lines.append("%s %s" % (name, self.instance(parts) or "a"))
            else:
                rs = ",".join(self.r.sample(self.rulesets, self.r.randint(1, 3)))
                if self.r.random() < 0.05:
                    rs += ",nosuch"
                lines.append("%s %s" % (rs, self.address()))
        return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--configs", type=int, default=20)
    ap.add_argument("--inputs", type=int, default=40)
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--no-maps", action="store_true")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for seed in range(args.first_seed, args.first_seed + args.configs):
        g = Gen(seed, not args.no_maps)
        cf = g.config()
        inp = g.inputs(args.inputs)
        base = os.path.join(args.out, "rand_%04d" % seed)
        with open(base + ".cf", "w") as f:
            f.write(cf)
        with open(base + ".in", "w") as f:
            f.write(inp)


if __name__ == "__main__":
    main()
