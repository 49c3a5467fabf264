#!/bin/sh
# Every test cfkit has, as CI runs it:
#   1. release build with warnings as errors, unit tests (ctest);
#   2. the same tests under AddressSanitizer + UBSan;
#   3. the differential suites against real sendmail 8.17 (fetched from
#      Debian's packages by tools/oracle/fetch-sendmail.sh): hand-written
#      cases in testcases/, the bundled examples, and 40 random configs.
set -eu
cd "$(dirname "$0")/.."
JOBS=${JOBS:-2}

echo "== build (warnings are errors)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCFKIT_WERROR=ON >/dev/null
cmake --build build -j"$JOBS"

echo "== layering: each engine/ stage includes only its own and lower stages"
python3 tools/check_layers.py

echo "== unit tests"
(cd build && ctest --output-on-failure)

echo "== the browser playground (build/playground/index.html) in headless Chromium: #output = cfkit bt, link state, load time, size"
python3 tools/oracle/playground_test.py --page build/playground/index.html --cfkit build/cfkit --screenshots build/playground/screenshots

echo "== cfkit's own output formats (golden files)"
python3 tools/clitest.py --cfkit build/cfkit

echo "== the policy schema (rulesets/schema.json) against the samples and cfkit gen"
python3 tools/check_schema.py --cfkit build/cfkit

echo "== unit tests under ASan+UBSan"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCFKIT_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$JOBS"
(cd build-asan && ctest --output-on-failure)

echo "== session cases (cfkit test): the seed's rules with and without delay_checks, access_db, relaying, dnsbl, header checks"
CFDIR="$(tools/oracle/fetch-sendmail.sh)/root/usr/share/sendmail/cf"
for c in seed seed-delay dnsbl headers; do
    build/cfkit test testcases/sessions/$c.mc testcases/sessions/$c --cf-dir "$CFDIR" \
        --hostname mail.example.com --no-interfaces
done

echo "== cfkit explain on every lesson (their -bt output is in the differential suite below)"
for l in rulesets/lessons/*.cf; do
    build/cfkit explain --color never --rules "$l" < "${l%.cf}.in" > /dev/null
done

echo "== cfkit lint: sendmail-cf's and Debian's configs (no errors, known warnings), cfkit gen's output (clean)"
tools/lint_check.sh build/cfkit

# The differential runs need root (unshare -u, see tools/oracle/difftest.py).
AS_ROOT=""
[ "$(id -u)" -eq 0 ] || AS_ROOT="sudo"

echo "== differential suite, sanitizer build (memory errors would show as stderr differences)"
$AS_ROOT python3 tools/oracle/difftest.py --cfkit build-asan/cfkit testcases/diff/semantics testcases/diff/edge

echo "== differential suite against sendmail 8.17"
$AS_ROOT python3 tools/oracle/difftest.py --cfkit build/cfkit --random 40 --inputs 40 \
    testcases/diff/semantics testcases/diff/edge testcases/diff/stock testcases/diff/maps testcases/diff/fuzz-parse testcases/diff/startup testcases/diff/old testcases/diff/safety testcases/examples rulesets/lessons

echo "== DNS answers against sendmail 8.17 (network namespace, DNS server answering from the cases' records)"
$AS_ROOT python3 tools/oracle/difftest.py --cfkit build/cfkit testcases/diff/dns

echo "== SMTP sessions against the real sendmail daemon (network namespace, fake DNS)"
$AS_ROOT python3 tools/oracle/sessiondiff.py --cfkit build/cfkit

echo "== the same sessions, each config's through one cfkit process (one ruleset memo), forward and reversed, against the daemon's saved replies"
$AS_ROOT python3 tools/oracle/sessiondiff.py --cfkit build/cfkit --expected --batch

echo "== cfkit gen: each sample policy generated, loaded by sendmail 8.17, its cases played in cfkit and the daemon"
$AS_ROOT python3 tools/oracle/gendiff.py --cfkit build/cfkit

echo "== cfkit queue against sendmail 8.17: queues the daemon wrote; list = sendmail -bp; changes seen by sendmail; kill -9 during move"
$AS_ROOT python3 tools/oracle/queuediff.py --cfkit build/cfkit
echo "== cfkit replay on logs the real daemon wrote (testcases/replay): no difference under their own configs, the daemon's own differences under the changed one"
$AS_ROOT python3 tools/oracle/replaydiff.py --cfkit build/cfkit

echo "== cfkit queue route against sendmail 8.17: every queued recipient's triple = a queue run's /parse, two configs"
$AS_ROOT python3 tools/oracle/routediff.py --cfkit build/cfkit

# sendmail refuses map files below world-writable directories and warns
# about them: the suites must pass wherever the checkout is, /tmp included.
echo "== from a world-writable directory: a copy of the checkout in /tmp (a name with a space), work files in /tmp"
WW="$(mktemp -d "/tmp/cfkit ci.XXXXXX")"
WORK="$(mktemp -d /tmp/cfkit-ci-work.XXXXXX)"
trap 'rm -rf "$WW" "$WORK"' EXIT
tar --exclude=./build --exclude=./build-asan --exclude=./.git -cf - . | tar -xf - -C "$WW"
CFKIT="$(pwd)/build/cfkit"
(cd "$WW" && python3 tools/clitest.py --cfkit "$CFKIT")
(cd "$WW" && "$CFKIT" test testcases/sessions/seed.mc testcases/sessions/seed --cf-dir "$CFDIR" \
    --hostname mail.example.com --no-interfaces)
$AS_ROOT env CFKIT_TMP="$WORK" python3 "$WW/tools/oracle/difftest.py" --cfkit "$CFKIT" \
    "$WW/testcases/diff/safety" "$WW/testcases/diff/maps" "$WW/testcases/diff/dns" "$WW/testcases/diff/edge"
$AS_ROOT python3 "$WW/tools/oracle/sessiondiff.py" --cfkit "$CFKIT" "$WW/testcases/sessions/diff/tls" "$WW/testcases/sessions/diff/auth"

# Run as root (CI), the same copy is also tested as a user without privileges.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
    echo "== as nobody: unit tests and cfkit's own output formats, from the copy in /tmp"
    mkdir "$WW/bin" && cp build/cfkit build/cfkit_tests "$WW/bin/" && chmod -R a+rX "$WW"
    NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"
    (cd "$WW" && $NOBODY env HOME=/nonexistent bin/cfkit_tests)
    (cd "$WW" && $NOBODY env HOME=/nonexistent /usr/bin/python3 tools/clitest.py --cfkit bin/cfkit)
fi
