#!/usr/bin/env bash
# Editor-client tests for layerlens, run by .ci/run against a freshly built server:
#   LAYERLENS_BIN=/abs/path/to/layerlens bash .ci/editors.sh
# Installs what it needs (idempotent: apt neovim, a newer Neovim unpacked from Debian trixie,
# npm ci of editors/vscode), then runs
#   - the Neovim headless end-to-end test (0.7.2 from apt, 0.10.4 from trixie; 0.12 from sid
#     with LAYERLENS_E2E_NVIM_SID=1),
#   - the VS Code extension's tsc --noEmit, unit tests (node --test), protocol end-to-end tests
#     on vscode-languageserver-protocol, and a vsce package smoke test (linux-x64 with the
#     server inside, and a no-server VSIX),
#   - with LAYERLENS_E2E_VSCODE=1, a real VS Code (code-server) end-to-end test,
#   - with LAYERLENS_E2E_EMACS=1, Emacs 28 + Eglot (Debian packages) end-to-end,
#   - with LAYERLENS_E2E_HELIX=1, Helix 25.01 (unpacked from Debian trixie) driven through tmux,
#   - with LAYERLENS_E2E_VIM=1, Vim 9 + ALE (Debian packages) in tmux.
# Every suite prints "N passed, N failed"; the script ends with the totals and exits non-zero
# if anything failed. Nothing here reaches the internet except apt and the npm registry.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
root=$PWD
: "${LAYERLENS_BIN:?set LAYERLENS_BIN to the absolute path of a built layerlens binary}"
case $LAYERLENS_BIN in /*) ;; *) LAYERLENS_BIN=$root/$LAYERLENS_BIN ;; esac
[ -x "$LAYERLENS_BIN" ] || { echo "LAYERLENS_BIN=$LAYERLENS_BIN is not an executable file" >&2; exit 2; }
export LAYERLENS_BIN
CACHE=${LAYERLENS_EDITORS_CACHE:-$root/.cache/editors}
mkdir -p "$CACHE"
t_start=$(date +%s)
total_pass=0 total_fail=0
summary=()

section() { printf '\n--- %s (%ss)\n' "$*" "$(( $(date +%s) - t_start ))"; }
# record NAME PASSED FAILED
record() {
  total_pass=$((total_pass + $2)); total_fail=$((total_fail + $3))
  summary+=("$(printf '%-34s %s passed, %s failed' "$1" "$2" "$3")")
}
# one NAME CMD...: a single pass/fail check
one() {
  local name=$1; shift
  if "$@"; then record "$name" 1 0; else echo "FAILED: $name"; record "$name" 0 1; fi
}
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --- Neovim -------------------------------------------------------------------------------
section "install Neovim"
if ! command -v nvim >/dev/null 2>&1; then
  as_root apt-get update -qq >/dev/null && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq neovim >/dev/null
fi
nvims=()
command -v nvim >/dev/null 2>&1 && nvims+=("$(command -v nvim)")
# Newer Neovim releases, unpacked with their own glibc from newer Debian suites (see
# editors/nvim/test/sysroot.sh).
want_suites=(trixie)
[ "${LAYERLENS_E2E_NVIM_SID:-}" = 1 ] && want_suites+=(sid)
for suite in "${want_suites[@]}"; do
  dest=$CACHE/nvim-$suite
  if [ ! -x "$dest/bin/nvim" ] || ! "$dest/bin/nvim" --version >/dev/null 2>&1; then
    rm -rf "$dest"
    if ! bash editors/nvim/test/sysroot.sh "$suite" "$dest" neovim >/dev/null; then
      echo "could not unpack Neovim from Debian $suite: that variant is not tested"
      record "neovim ($suite): install" 0 1
      continue
    fi
  fi
  nvims+=("$dest/bin/nvim")
done

for n in "${nvims[@]}"; do
  ver=$("$n" --version | head -n 1)
  section "Neovim e2e: $ver"
  out=$(NVIM_BIN=$n bash editors/nvim/test/run.sh 2>&1)
  echo "$out"
  line=$(echo "$out" | tail -n 1)
  p=$(echo "$line" | sed -nE 's/^([0-9]+) passed, ([0-9]+) failed.*/\1/p')
  f=$(echo "$line" | sed -nE 's/^([0-9]+) passed, ([0-9]+) failed.*/\2/p')
  [ -n "$p" ] || { p=0; f=1; }
  record "neovim e2e ($ver)" "$p" "$f"
done
[ ${#nvims[@]} -gt 0 ] || record "neovim: none installed" 0 1

# --- Emacs + Eglot (optional) -----------------------------------------------------------------
if [ "${LAYERLENS_E2E_EMACS:-}" = 1 ]; then
  section "Emacs + Eglot e2e"
  if ! command -v emacs >/dev/null 2>&1 || ! compgen -G '/usr/share/emacs/site-lisp/elpa/eglot-*' >/dev/null; then
    as_root apt-get update -qq >/dev/null
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends emacs-nox elpa-eglot >/dev/null
  fi
  out=$(bash editors/emacs/test/run.sh 2>&1)
  echo "$out"
  line=$(echo "$out" | tail -n 1)
  p=$(echo "$line" | sed -nE 's/^([0-9]+) passed, ([0-9]+) failed.*/\1/p')
  f=$(echo "$line" | sed -nE 's/^([0-9]+) passed, ([0-9]+) failed.*/\2/p')
  [ -n "$p" ] || { p=0; f=1; }
  record "emacs eglot e2e" "$p" "$f"
fi

# --- Helix (optional) ---------------------------------------------------------------------------
if [ "${LAYERLENS_E2E_HELIX:-}" = 1 ]; then
  section "Helix e2e"
  dest=$CACHE/helix-trixie
  if [ ! -x "$dest/bin/hx" ] || ! "$dest/bin/hx" --version >/dev/null 2>&1; then
    rm -rf "$dest"
    bash editors/nvim/test/sysroot.sh trixie "$dest" hx >/dev/null || echo "could not unpack Helix from Debian trixie"
  fi
  command -v tmux >/dev/null 2>&1 || as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux >/dev/null
  out=$(HX_BIN=$dest/bin/hx bash editors/helix/test/e2e.sh 2>&1)
  echo "$out"
  line=$(echo "$out" | tail -n 1)
  p=$(echo "$line" | sed -nE 's/^([0-9]+) passed, ([0-9]+) failed.*/\1/p')
  f=$(echo "$line" | sed -nE 's/^([0-9]+) passed, ([0-9]+) failed.*/\2/p')
  [ -n "$p" ] || { p=0; f=1; }
  record "helix e2e" "$p" "$f"
fi

# --- Vim + ALE (optional) --------------------------------------------------------------------
if [ "${LAYERLENS_E2E_VIM:-}" = 1 ]; then
  section "Vim + ALE e2e"
  if ! command -v vim >/dev/null 2>&1 || ! dpkg -s vim-ale >/dev/null 2>&1 || ! command -v tmux >/dev/null 2>&1; then
    as_root apt-get update -qq >/dev/null
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends vim vim-ale tmux >/dev/null
  fi
  out=$(bash editors/vim/test/ale.sh 2>&1)
  echo "$out"
  line=$(echo "$out" | tail -n 1)
  p=$(echo "$line" | sed -nE 's/^([0-9]+) passed, ([0-9]+) failed.*/\1/p')
  f=$(echo "$line" | sed -nE 's/^([0-9]+) passed, ([0-9]+) failed.*/\2/p')
  [ -n "$p" ] || { p=0; f=1; }
  record "vim ale e2e" "$p" "$f"
fi

# --- VS Code ------------------------------------------------------------------------------
section "VS Code extension: npm ci"
vs=$root/editors/vscode
# node_test NAME DIR: runs node --test and records its pass/fail counts
node_test() {
  local name=$1 dir=$2 out p f
  out=$(cd "$vs" && node --test "$dir" 2>&1)
  local rc=$?
  echo "$out" | grep -E '^(not )?ok |^# (tests|pass|fail|duration)|^  # ' || true
  p=$(echo "$out" | sed -nE 's/^# pass ([0-9]+)$/\1/p' | tail -n 1)
  f=$(echo "$out" | sed -nE 's/^# fail ([0-9]+)$/\1/p' | tail -n 1)
  [ -n "$p" ] || p=0
  [ -n "$f" ] || f=0
  if [ $rc -ne 0 ] && [ "$f" = 0 ]; then
    echo "$out" | tail -n 40
    f=1
  fi
  [ "$f" = 0 ] || echo "$out" | grep -E -A12 '^not ok ' | head -n 80
  record "$name" "$p" "$f"
}
# npm ci wipes and reinstalls node_modules (about a minute on a busy machine); skip it when
# node_modules was installed from exactly this lock file.
npm_ci() {
  local want have stamp=node_modules/.layerlens-lock.sha256
  want=$(sha256sum package-lock.json | cut -d' ' -f1)
  have=$(cat "$stamp" 2>/dev/null || true)
  if [ "$want" = "$have" ] && [ -x node_modules/.bin/tsc ]; then
    echo "node_modules matches package-lock.json"
    return 0
  fi
  npm ci --no-audit --no-fund --loglevel=error >/dev/null && echo "$want" >"$stamp"
}
if (cd "$vs" && npm_ci); then
  record "vscode: npm ci" 1 0
  section "VS Code extension: tsc --noEmit"
  one "vscode: tsc --noEmit" bash -c "cd '$vs' && npx tsc -p . --noEmit"
  section "VS Code extension: build tests"
  one "vscode: esbuild tests" bash -c "cd '$vs' && npm run -s build:tests >/dev/null"
  section "VS Code extension: unit tests (node --test)"
  node_test "vscode: unit tests" out/test/
  section "VS Code client libraries against the server (node --test)"
  node_test "vscode: protocol e2e" out/e2e/
  section "VS Code extension: vsce package"
  one "vscode: vsce package" bash editors/vscode/scripts/package.sh --check "$LAYERLENS_BIN"
  if [ "${LAYERLENS_E2E_VSCODE:-}" = 1 ]; then
    section "real VS Code (code-server) e2e"
    if [ -f editors/vscode/test-vscode/run.sh ]; then
      out=$(bash editors/vscode/test-vscode/run.sh 2>&1)
      echo "$out"
      line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
      p=$(echo "$line" | sed -nE 's/^([0-9]+) passed.*/\1/p')
      f=$(echo "$line" | sed -nE 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/p')
      [ -n "$p" ] || { p=0; f=1; }
      record "vscode: code-server e2e" "$p" "$f"
    else
      echo "LAYERLENS_E2E_VSCODE=1 but editors/vscode/test-vscode/run.sh does not exist"
      record "vscode: code-server e2e" 0 1
    fi
  fi
else
  echo "npm ci failed in editors/vscode"
  record "vscode: npm ci" 0 1
fi

section "summary"
printf '%s\n' "${summary[@]}"
echo "editors: $total_pass passed, $total_fail failed ($(( $(date +%s) - t_start )) s)"
[ "$total_fail" -eq 0 ]
