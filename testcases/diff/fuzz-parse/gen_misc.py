#!/usr/bin/env python3
"""Random test-mode commands that gen.py and gen_check.py leave out:
/header, =S, =M, $x, ${name}, $=X, .D and .C with odd names and values
(macros inside), -d toggled between commands, ruleset lists (numbers,
names, bad ones), comments, blank and over-long lines, and /expand of
conditionals and nesting; addresses from gen.py's parts.

Usage: gen_misc.py SEED N > file.in    (run with tools/oracle/fuzzdiff.py)
How it was used: seeds 1-... with 1,500 commands each on generic-linux and
the maps suite's configs; what it found is fixed and its reduced lines are
at the end of generic-linux.in (unknown "/" commands, e->e_to after a bare
/sender, /header quoting meta bytes).
"""
import os, pathlib, sys, importlib.util
spec = importlib.util.spec_from_file_location("gen", str(pathlib.Path(__file__).with_name("gen.py")))
seed = int(sys.argv[1]); n = int(sys.argv[2])
sys.argv = ["gen.py", str(seed), "0"]
g = importlib.util.module_from_spec(spec); spec.loader.exec_module(g)
R = g.R

HEADERS = ['From', 'To', 'Cc', 'Subject', 'Message-Id', 'Date', 'Received', 'Reply-To', 'Sender', 'X-Foo', 'Return-Path',
           'Resent-From', 'Apparently-To', 'Content-Type', 'Bcc', 'x', '', 'From ', 'to', 'FROM']
# (no $b: it holds the start time, which differs between the two runs)
MACROS = ['x', 'y', 'j', 'w', 'm', 'k', 'n', 'a', 'f', 'h', 'u', 'z', 'Z', '{client_addr}', '{foo}', '{Foo}', '{a b}',
          '{}', '{', '{x', '{opMode}', '{deliveryMode}', '{load_avg}', '{mail_addr}', '{very_long_macro_name_here}', '$', '&', '0']
CLASSES = ['w', 'R', 'M', 'E', 'P', 'G', 'k', 'X', '{VirtHost}', '{Foo}', '{foo}', '{x y}', '{}', '{', '=', '$']
RULESETS = ['0', '1', '2', '3', '4', '5', '3,0', '3,1,4', '3,2,4', '0,4', '3,0,4', '99', '100', '199', '200', '-1', 'x',
            'canonify', 'parse', 'final', 'check_rcpt', 'check_mail', 'Parse0', 'Parse1', 'LookUpDomain', 'nosuch',
            '3,nosuch', '3,,0', ',3', '3,', '3 ,0', '3, 0', 'CANONIFY', 'Canonify', '98', '96', 'EnvToL', 'MailerToTriple']


def value():
    r = R.random()
    if r < 0.3: return g.host()
    if r < 0.5: return g.local()
    if r < 0.6: return g.address()
    if r < 0.8: return R.choice(['$j', '$w', '$x', '$&x', '${foo}', '$?x yes $| no $.', '$?{foo}A$.', '$=w', '$~w', '$1', '$*',
                                 '$+', '$#', '$:', '$@', '$>3', '$(dequote x $)', '$[ $]', '$', 'a$', '$$', '$ ', '$.', '$|',
                                 '$?', '$?x', '$&', '${', '${x', '$)', '$]'])
    return ''.join(g.rchar() for _ in range(R.randint(0, 12)))


def command():
    r = R.random()
    if r < 0.15:
        return '/header ' + R.choice(HEADERS) + R.choice([':', ': ', ':  ', ' :', '']) + \
            R.choice([g.address(), g.address() + ', ' + g.address(), value(), ''])
    if r < 0.25:
        return '.D' + R.choice(MACROS) + R.choice(['', ' ', '\t']) + value()
    if r < 0.32:
        return '.C' + R.choice(CLASSES) + R.choice(['', ' ', '\t']) + R.choice([g.host(), g.local(), value(), 'a b c'])
    if r < 0.40:
        return '$' + R.choice(MACROS) if R.random() < 0.8 else '$' + value()
    if r < 0.46:
        return '$=' + R.choice(CLASSES)
    if r < 0.50:
        return R.choice(['=S', '=S ', '=S' + R.choice(RULESETS), '=S ' + R.choice(RULESETS), '=M', '=M x', '=', '=X'])
    if r < 0.56:
        return '/expand ' + value() + R.choice(['', ' ' + value()])
    if r < 0.60:
        # (only the categories cfkit prints, and below 21.15, which shows token addresses)
        return R.choice(['-d21.12', '-d21.1', '-d21.10', '-d21.2', '-d21', '-d60.5', '-d21.4', '-d21.0', '-d60.0'])
    if r < 0.64:
        return R.choice(['', ' ', '#', '# comment', '  # x', '\t', '?', '/', '/x', '/help', '/map', '/map x',
                         '.', '.X', '.Dx', '.C', '=', '$', '$=', '/try', '/parse', '/sender', '/mx', '/canon',
                         '/tryflags', '/expand', '/header'])
    if r < 0.67:
        return R.choice(RULESETS) + ' ' + ('a' * R.choice([1000, 2040, 2046, 2047, 2048, 2100, 3000]))
    return R.choice(RULESETS) + R.choice([' ', '  ', '\t']) + R.choice([g.address(), g.address_simple(), value()])


out = [os.environ['FIRST']] if os.environ.get('FIRST') else []
out += [command() for _ in range(n)]
for l in out:
    # the marker lines fuzzdiff adds must stay lines of their own
    sys.stdout.buffer.write(l.replace('\n', ' ').encode('latin-1', 'replace') + b'\n')
