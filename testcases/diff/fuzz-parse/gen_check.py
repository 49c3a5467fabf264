#!/usr/bin/env python3
"""Random test-mode commands for the check rulesets of a feature config:
check_*/Local_check_*/Basic_check_* and other named rulesets with fuzzed
addresses (gen.py's parts), .D of the session macros, .C, /map, /try,
/tryflags, /expand.

Usage: gen_check.py SEED N > file.in   (FIRST=-d21.12,60.5 puts that line first)
Run with tools/oracle/fuzzdiff.py. How it was used: about 80,000 commands on
../maps/{debian,features,delay}.mc (maps built by difftest) and on knecht,
submit and generic-linux, many with -d21.12,60.5; the differences it found
are fixed and their reduced lines are in ../semantics/hostkey.* and
generic-linux.in.
"""
import os, pathlib, sys, random, importlib.util
spec = importlib.util.spec_from_file_location("gen", str(pathlib.Path(__file__).with_name("gen.py")))
seed = int(sys.argv[1]); n = int(sys.argv[2])
sys.argv = ["gen.py", str(seed), "0"]
g = importlib.util.module_from_spec(spec); spec.loader.exec_module(g)
R = g.R
ADDRS = ['192.0.2.1', '10.1.1.1', '127.0.0.1', '198.51.100.7', 'IPv6:2001:db8::1', '0.0.0.0', '1.2.3', '']
NAMES = ['bad.example', 'mail.example.com', 'localhost', 'client.example.net', '[192.0.2.1]', 'x', '']
RES = ['OK', 'FAIL', 'FORGED', 'TEMP', '']
MACROS = ['{client_addr}', '{client_name}', '{client_resolve}', '{auth_type}', '{auth_authen}', 's', '{daemon_flags}',
          '{verify}', '{client_ptr}', '{rcpt_mailer}', '{rcpt_host}', '{rcpt_addr}', '{mail_mailer}', '{mail_host}', '{mail_addr}',
          '{deliveryMode}', '{if_addr}', 'j', '{greet_delay}']
RS = ['check_relay', 'check_mail', 'check_rcpt', 'Local_check_mail', 'Local_check_rcpt', 'Local_check_relay',
      'check_compat', 'check_etrn', 'check_vrfy', 'check_expn', 'canonify', 'parse', 'Basic_check_relay', 'Basic_check_mail',
      'Basic_check_rcpt', 'SearchList', 'Parse0', 'Parse1', 'LookUpDomain', 'LookUpAddress', 'A', 'D', 'TLS_connection', 'trust_auth',
      'Translate', 'CanonAddr', 'Rcpt_ok', 'Relay_ok', 'ScreenDomain', 'try_tls', 'srv_features', 'clt_features', 'check_eoh', 'tls_client', 'tls_server', 'tls_rcpt']
out = [os.environ['FIRST']] if os.environ.get('FIRST') else []
for _ in range(n):
    r = R.random()
    if r < 0.3:
        m = R.choice(MACROS)
        if m == '{client_addr}': v = R.choice(ADDRS)
        elif m == '{client_name}': v = R.choice(NAMES)
        elif m == '{client_resolve}': v = R.choice(RES)
        elif R.random() < 0.5: v = g.host()
        else: v = g.local()
        out.append('.D%s%s' % (m, v))
    elif r < 0.4:
        out.append('check_relay %s $| %s' % (R.choice(NAMES + [g.host()]), R.choice(ADDRS)))
    elif r < 0.47:
        mp = R.choice(['access', 'virtuser', 'mailertable', 'host', 'resolve', 'dequote', 'macro', 'arith', 'storage', 'canon', 'nosuch', 'authinfo', 'generics', 'bestmx', 'dnsbl', 'ruleset'])
        out.append('/map %s %s' % (mp, R.choice([g.local(), g.host(), 'Connect:' + R.choice(ADDRS), 'From:' + g.host(), 'To:' + g.host(), ''])))
    elif r < 0.5:
        out.append(R.choice(['/tryflags ' + R.choice(['h', 'e', 's', 'r', 'hs', 'er', 'HS', 'x']), '/try ' + R.choice(['esmtp', 'smtp', 'local', 'relay', 'prog']) + ' ' + g.local() + '@' + g.host()]))
    elif r < 0.53:
        out.append('.C%s %s' % (R.choice(['w', 'R', '{VirtHost}', 'M', 'G', 'E', 'm', '{Accept}']), R.choice([g.host(), g.local()])))
    elif r < 0.55:
        out.append('/expand ' + R.choice(['$j', '$w', '$m', '${client_addr}', '$?{client_name}yes$|no$.', '$&{client_resolve}', '$=w', g.local()]))
    else:
        rs = R.choice(RS)
        a = g.local() + ('@' + g.host() if R.random() < 0.7 else '')
        if R.random() < 0.5: a = '<' + a + '>'
        if R.random() < 0.1: a = a + ' $| ' + g.local()
        out.append('%s %s' % (rs, a))
for l in out:
    sys.stdout.buffer.write(l.encode('latin-1', 'replace') + b'\n')
