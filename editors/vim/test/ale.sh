#!/usr/bin/env bash
# Vim + ALE end-to-end test: the ALE snippet of editors/README.md (with the test binary) must
# bring the server's diagnostics into ALE's location list, with a rule turned off through
# lsp_config. Vim needs a terminal, so it runs in a detached tmux session; a timer inside Vim
# writes the result and quits.
#   LAYERLENS_BIN=/path/to/layerlens editors/vim/test/ale.sh      (Debian: vim, vim-ale, tmux)
# Prints "N passed, N failed".
set -uo pipefail
: "${LAYERLENS_BIN:?set LAYERLENS_BIN to a built layerlens binary}"
ALE_DIR=${ALE_DIR:-/usr/share/vim-ale}
work=$(mktemp -d)
session=layerlens-ale-$$
trap 'tmux kill-session -t "$session" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/ws/.git"
printf 'FROM alpine:3.19\nMAINTAINER me\nrun echo hi\nFOO bar\n' >"$work/ws/Dockerfile"
cat >"$work/vimrc" <<VIM
set nocompatible
set runtimepath^=$ALE_DIR
filetype plugin on
call ale#linter#Define('dockerfile', {
      \\ 'name': 'layerlens',
      \\ 'lsp': 'stdio',
      \\ 'executable': '$LAYERLENS_BIN',
      \\ 'command': '%e serve --stdio',
      \\ 'project_root': {buffer -> fnamemodify(bufname(buffer), ':p:h')},
      \\ 'lsp_config': {'layerlens': {'offline': v:true, 'cacheDir': '$work/cache', 'rules': {'NoHealthcheck': 'off'}}},
      \\ })
let g:ale_linters = {'dockerfile': ['layerlens']}
" Poll ALE's list until the server's parse error is in, then record the list and quit.
function! Check(timer) abort
  let l = ale#engine#GetLoclist(bufnr('%'))
  if !empty(filter(copy(l), {_, v -> get(v, 'code', '') is# 'UnknownInstruction'}))
    call writefile(map(copy(l), {_, v -> get(v, 'code', '?') . '@' . v.lnum}), '$work/result')
    qa!
  endif
endfunction
call timer_start(50, 'Check', {'repeat': -1})
call timer_start(20000, {-> execute('cquit 3')})
VIM
t0=$(date +%s%N)
tmux new-session -d -s "$session" -x 120 -y 30 -c "$work/ws" "vim -N -u $work/vimrc -i NONE -n Dockerfile"
deadline=$(( $(date +%s) + 25 ))
until [ -f "$work/result" ] || [ "$(date +%s)" -ge "$deadline" ]; do sleep 0.1; done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
version=$(vim --version | head -n 1 | cut -d'(' -f1)
ale=$(dpkg-query -W -f '${Version}' vim-ale 2>/dev/null || echo '?')
problem=
if [ ! -f "$work/result" ]; then
  problem="no UnknownInstruction in ALE's list within 25 s"
elif ! grep -qx 'MaintainerDeprecated@2' "$work/result"; then
  problem="MaintainerDeprecated@2 missing"
elif grep -q '^NoHealthcheck@' "$work/result"; then
  problem="NoHealthcheck is off in lsp_config but reported"
fi
[ -f "$work/result" ] && echo "    ALE list: $(tr '\n' ' ' <"$work/result")"
if [ -z "$problem" ]; then
  echo "PASS $version+ ALE $ale (${ms} ms)"; echo "1 passed, 0 failed"
else
  echo "FAIL $version+ ALE $ale: $problem"; tmux capture-pane -p -t "$session" 2>/dev/null | sed 's/^/    | /'
  echo "0 passed, 1 failed"; exit 1
fi
