#!/usr/bin/env bash
# Runs the Neovim end-to-end test (e2e.lua) with every client API variant against a server binary.
#   LAYERLENS_BIN=/path/to/layerlens NVIM_BIN=nvim editors/nvim/test/run.sh [variant...]
# A variant is API[/SETTINGS]: API in auto start_client start config native late, SETTINGS in offline
# none. Variants the Neovim is too old for are skipped. Prints "N passed, N failed, N skipped"
# and exits non-zero if any variant failed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
NVIM_BIN=${NVIM_BIN:-nvim}
: "${LAYERLENS_BIN:?set LAYERLENS_BIN to a built layerlens binary}"
[ -x "$LAYERLENS_BIN" ] || { echo "LAYERLENS_BIN=$LAYERLENS_BIN is not executable" >&2; exit 2; }
variants=("$@")
[ ${#variants[@]} -gt 0 ] || variants=(auto/offline start_client/offline start/offline config/offline native/offline late/offline auto/none)
version=$("$NVIM_BIN" --version | head -n 1)
pass=0 fail=0 skip=0
for v in "${variants[@]}"; do
  api=${v%%/*} settings=offline
  [[ $v == */* ]] && settings=${v#*/}
  work=$(mktemp -d)
  t0=$(date +%s%N)
  # A private state and cache dir per run: no shada, no swap, no log from an earlier run.
  XDG_STATE_HOME=$work/.state XDG_CACHE_HOME=$work/.cache XDG_CONFIG_HOME=$work/.config \
    LL_API=$api LL_SETTINGS=$settings LL_WORKDIR=$work/ws LAYERLENS_BIN=$LAYERLENS_BIN \
    timeout 60 "$NVIM_BIN" --headless -u NONE -i NONE -n -c "luafile $here/e2e.lua" >"$work/out" 2>&1 </dev/null
  rc=$?
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  case $rc in
    0) pass=$((pass + 1)); echo "PASS $version $v (${ms} ms)" ;;
    77) skip=$((skip + 1)); echo "SKIP $version $v" ;;
    *) fail=$((fail + 1)); echo "FAIL $version $v (rc=$rc, ${ms} ms)"; sed 's/^/    /' "$work/out"
       [ -f "$work/.state/nvim/lsp.log" ] && tail -n 20 "$work/.state/nvim/lsp.log" | sed 's/^/    lsp.log: /' ;;
  esac
  [ -n "${VERBOSE:-}" ] && [ $rc -eq 0 ] && sed 's/^/    /' "$work/out"
  rm -rf "$work"
done
echo "$pass passed, $fail failed, $skip skipped ($version)"
[ $fail -eq 0 ]
