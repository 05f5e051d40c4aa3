#!/usr/bin/env bash
# Installs a real VS Code for the extension's end-to-end test, offline except for apt and the
# npm registry: code-server (VS Code's server and web workbench) plus a headless Chromium.
#   editors/vscode/test-vscode/install.sh DIR        (idempotent; skips work already done)
# code-server 4.100.x is VS Code 1.100, the last line whose engines.node allows Node 20.
# Every step done by hand replaces an install script that would download from GitHub or a CDN.
set -euo pipefail
dir=$(realpath -m "${1:?usage: install.sh DIR}")
ver=${CODE_SERVER_VERSION:-4.100.3}
stamp=$dir/.installed-$ver
[ -f "$stamp" ] && { echo "code-server $ver already installed in $dir"; exit 0; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
pkgs=(build-essential pkg-config python3 libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev ripgrep chromium-headless-shell)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  as_root apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
mkdir -p "$dir"
cd "$dir"
[ -f package.json ] || echo '{"name":"layerlens-code-server","private":true}' >package.json
# --ignore-scripts: code-server's postinstall fetches ripgrep from GitHub.
npm_config_unsafe_perm=true npm install --ignore-scripts --no-audit --no-fund --loglevel=error \
  "code-server@$ver" playwright-core@1.65.1
# argon2 would download a prebuilt binary from GitHub: build it from source instead.
npm_config_build_from_source=true npm rebuild argon2 --loglevel=error >/dev/null
cd node_modules/code-server/lib/vscode
npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error
# @vscode/ripgrep's postinstall downloads rg and skips when bin/ exists: use Debian's rg.
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sf /usr/bin/rg node_modules/@vscode/ripgrep/bin/rg
# Native modules build against the system Node headers (nodedir); npx must not prompt.
npm_config_yes=true npm rebuild --loglevel=error >/dev/null
cd extensions
npm install --omit=dev --no-audit --no-fund --loglevel=error
touch "$stamp"
echo "code-server $ver installed in $dir"
