#!/usr/bin/env bash
# Runs the Eglot end-to-end test (e2e.el) against a server binary:
#   LAYERLENS_BIN=/path/to/layerlens EMACS_BIN=emacs editors/emacs/test/run.sh
# Needs Debian's emacs-nox and elpa-eglot. Prints "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${LAYERLENS_BIN:?set LAYERLENS_BIN to a built layerlens binary}"
EMACS_BIN=${EMACS_BIN:-emacs}
work=$(mktemp -d)
t0=$(date +%s%N)
HOME=$work LL_WORKDIR=$work/ws LAYERLENS_BIN=$LAYERLENS_BIN \
  timeout 60 "$EMACS_BIN" -Q --batch -l "$here/e2e.el" >"$work/out" 2>&1 </dev/null
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
version=$("$EMACS_BIN" --version | head -n 1)
grep -E '^\[eglot\]|^(PASS|FAIL)' "$work/out" | sed 's/^/    /'
if [ $rc -eq 0 ]; then
  echo "PASS $version + Eglot (${ms} ms)"; echo "1 passed, 0 failed"
else
  echo "FAIL $version + Eglot (rc=$rc, ${ms} ms)"; tail -n 30 "$work/out" | sed 's/^/    /'; echo "0 passed, 1 failed"
fi
rm -rf "$work"
[ $rc -eq 0 ]
