#!/usr/bin/env bash
# Installs (cached) and runs the real VS Code end-to-end test. Needs LAYERLENS_BIN and
# npm ci done in editors/vscode. Called by .ci/editors.sh when LAYERLENS_E2E_VSCODE=1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
export CODE_SERVER_DIR=${CODE_SERVER_DIR:-${LAYERLENS_EDITORS_CACHE:-$root/.cache/editors}/code-server}
bash "$here/install.sh" "$CODE_SERVER_DIR"
cd "$here/.."
npm run -s bundle
npx esbuild src/vscode-e2e/index.ts --bundle --platform=node --format=cjs --target=node20 --external:vscode --log-level=warning --outfile=out/vscode-e2e/index.js
vsix=()
for f in layerlens-*-linux-x64.vsix layerlens-*-no-server.vsix; do [ -f "$f" ] && vsix+=("$PWD/$f"); done
node "$here/run.js" "${vsix[@]}"
