#!/usr/bin/env python3
"""Certificates for the STARTTLS sessions, made with the openssl command.

    tools/oracle/make_certs.py DIR

Writes into DIR (created mode 0755):

  ca.pem, ca.key                 the test CA ("/C=US/O=cfkit Test CA/CN=cfkit CA")
  server.pem, server.key         the daemon's certificate, CN=mail.example.com, by the CA
  good.pem, good.key             a client certificate by the CA, valid now
  expired.pem, expired.key       a client certificate by the CA, valid only in January 2020
  selfsigned.pem, selfsigned.key a self-signed client certificate
  wrongca.pem, wrongca.key       a client certificate by another CA (otherca.pem, otherca.key)

Keys are fresh RSA 2048 keys each time (so {cert_md5} differs from run to
run: sessiondiff masks it), files mode 0600 for keys (sendmail refuses
group- or world-readable key files) and 0644 for certificates. Subjects,
issuers and serial numbers are fixed; the validity of the others starts a
day ago and lasts ten years. sessiondiff.py calls make() for every config
whose .mc mentions @CERTS@.
"""

import os
import pathlib
import subprocess
import sys
import tempfile

SUBJECTS = {
    "ca": "/C=US/O=cfkit Test CA/CN=cfkit CA",
    "otherca": "/C=US/O=Other CA/CN=other CA",
    "server": "/C=US/O=Example Mail/CN=mail.example.com",
    "good": "/C=US/O=Example Client/CN=good.client.example",
    "expired": "/C=US/O=Example Client/CN=expired.client.example",
    "selfsigned": "/C=US/O=Self Signed/CN=self.client.example",
    "wrongca": "/C=US/O=Example Client/CN=wrongca.client.example",
}
SERIALS = {"server": "10", "good": "11", "expired": "12", "selfsigned": "13", "wrongca": "14"}  # hex


def openssl(*args, cwd):
    r = subprocess.run(["openssl"] + list(args), cwd=str(cwd), capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("openssl %s: %s" % (" ".join(args), r.stderr.strip()))


def newkey(d, name):
    openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", name + ".key", cwd=d)
    os.chmod(d / (name + ".key"), 0o600)


def selfsigned(d, name, ca):
    newkey(d, name)
    ext = ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"] \
        if ca else ["-addext", "basicConstraints=CA:FALSE"]
    openssl("req", "-x509", "-new", "-key", name + ".key", "-subj", SUBJECTS[name], "-days", "3650",
            "-set_serial", "1" if ca else "0x" + SERIALS[name], "-sha256", "-out", name + ".pem", *ext, cwd=d)


def signed(d, name, ca, start=None, end=None):
    """A certificate for `name` signed by `ca`; `start`/`end` (YYYYMMDDHHMMSSZ) through `openssl ca`."""
    newkey(d, name)
    openssl("req", "-new", "-key", name + ".key", "-subj", SUBJECTS[name], "-out", name + ".csr", cwd=d)
    with tempfile.TemporaryDirectory(dir=str(d)) as t:
        t = pathlib.Path(t)
        (t / "index.txt").write_text("")
        (t / "serial").write_text(SERIALS[name] + "\n")
        (t / "ca.cnf").write_text(
            "[ca]\ndefault_ca = ca_default\n"
            "[ca_default]\ndatabase = %(t)s/index.txt\nnew_certs_dir = %(t)s\nserial = %(t)s/serial\n"
            "certificate = %(d)s/%(ca)s.pem\nprivate_key = %(d)s/%(ca)s.key\ndefault_md = sha256\n"
            "default_days = 3650\npolicy = policy_any\nunique_subject = no\nx509_extensions = ext\n"
            "[policy_any]\ncountryName = optional\norganizationName = optional\ncommonName = supplied\n"
            "[ext]\nbasicConstraints = CA:FALSE\n" % {"t": t, "d": d, "ca": ca})
        args = ["ca", "-batch", "-notext", "-config", str(t / "ca.cnf"), "-in", name + ".csr",
                "-out", name + ".pem"]
        if start:
            args += ["-startdate", start, "-enddate", end]
        else:  # from yesterday: no trouble with clocks a few seconds apart
            args += ["-startdate", _yesterday()]
        openssl(*args, cwd=d)
    (d / (name + ".csr")).unlink()


def _yesterday():
    import time
    return time.strftime("%Y%m%d%H%M%SZ", time.gmtime(time.time() - 86400))


def make(d):
    d = pathlib.Path(d)
    d.mkdir(mode=0o755, parents=True, exist_ok=True)
    os.chmod(d, 0o755)
    selfsigned(d, "ca", True)
    selfsigned(d, "otherca", True)
    signed(d, "server", "ca")
    signed(d, "good", "ca")
    signed(d, "expired", "ca", "20200101000000Z", "20200201000000Z")
    selfsigned(d, "selfsigned", False)
    signed(d, "wrongca", "otherca")
    for p in d.glob("*.pem"):
        os.chmod(p, 0o644)
    return d


def main(argv):
    if len(argv) != 2:
        print("usage: make_certs.py DIR", file=sys.stderr)
        return 2
    try:
        make(argv[1])
    except (RuntimeError, OSError) as e:
        print("make_certs: %s" % e, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
