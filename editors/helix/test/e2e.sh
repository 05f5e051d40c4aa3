#!/usr/bin/env bash
# Helix end-to-end test of the layerlens server, driven through tmux:
#   LAYERLENS_BIN=/path/to/layerlens HX_BIN=hx editors/helix/test/e2e.sh
# Uses the languages.toml from editors/README.md (with the test binary), opens a Dockerfile,
# checks the diagnostics picker (Space d), applies the first code action on the MAINTAINER line
# (Space a, Enter), checks the refreshed diagnostics and hovers (Space k). The screen is polled
# until the expected text appears or a deadline passes. Prints "N passed, N failed".
set -uo pipefail
: "${LAYERLENS_BIN:?set LAYERLENS_BIN to a built layerlens binary}"
HX_BIN=${HX_BIN:-hx}
work=$(mktemp -d)
session=layerlens-hx-$$
trap 'tmux kill-session -t "$session" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/config/helix" "$work/ws/.git"
cat >"$work/config/helix/languages.toml" <<TOML
[language-server.layerlens]
command = "$LAYERLENS_BIN"
args = ["serve", "--stdio"]
config = { offline = true, cacheDir = "$work/cache", rules = { NoHealthcheck = "off" } }

[[language]]
name = "dockerfile"
language-servers = ["layerlens"]
TOML
printf 'FROM alpine:3.19\nMAINTAINER me\nRUN echo hi\nFOO bar\n' >"$work/ws/Dockerfile"

screen() { tmux capture-pane -p -t "$session"; }
fail() {
  echo "    FAIL: $*"; screen | sed 's/^/    | /'
  echo "FAIL $("$HX_BIN" --version) (helix e2e)"; echo "0 passed, 1 failed"; exit 1
}
# expect PATTERN WHAT: poll the screen for up to 10 s
expect() {
  local deadline=$(( $(date +%s) + 10 ))
  until screen | grep -qE "$1"; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "timed out waiting for $2"
    sleep 0.1
  done
}
keys() { tmux send-keys -t "$session" "$@"; }

t0=$(date +%s%N)
tmux new-session -d -s "$session" -x 160 -y 40 -c "$work/ws" \
  "env XDG_CONFIG_HOME=$work/config HOME=$work $HX_BIN Dockerfile"
expect 'FROM alpine' 'the file to open'
# Diagnostics picker: the parse error and a rule, not the rule turned off in config.
expect '●' 'diagnostic markers in the gutter'
keys Space d
expect 'UnknownInstruction' 'UnknownInstruction in the diagnostics picker'
screen | grep -q 'MaintainerDeprecated' || fail 'MaintainerDeprecated missing from the picker'
screen | grep -q 'NoHealthcheck' && fail 'NoHealthcheck is off in config but listed'
echo "    diagnostics picker: UnknownInstruction, MaintainerDeprecated; NoHealthcheck off"
keys Escape
# Code action on line 2.
keys ':' 'goto 2' Enter
keys Space a
expect 'Replace with LABEL' 'the quick fix in the code action menu'
keys Enter
expect '^ *2 +LABEL ' 'line 2 rewritten to LABEL'
echo "    code action applied: $(screen | grep -E '^ *2 +LABEL' | sed -E 's/^ *2 +//; s/ {2,}.*//')"
# The picker shows a snapshot: reopen it until the republished diagnostics are in.
deadline=$(( $(date +%s) + 10 ))
while :; do
  keys Space d
  expect 'UnknownInstruction' 'the diagnostics picker again'
  screen | grep -q 'MaintainerDeprecated' || break
  keys Escape
  [ "$(date +%s)" -lt "$deadline" ] || fail 'MaintainerDeprecated still listed after the fix'
  sleep 0.2
done
echo "    diagnostics refreshed after the edit"
keys Escape
# Hover on RUN.
keys ':' 'goto 3' Enter
keys Space k
expect 'Run a command' 'the hover on RUN'
echo "    hover: $(screen | grep -oE 'RUN[^│]*Run a command[^│]*' | head -n 1 | sed 's/ *$//')"
keys Escape ':' 'q!' Enter
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "PASS $("$HX_BIN" --version) (${ms} ms)"
echo "1 passed, 0 failed"
