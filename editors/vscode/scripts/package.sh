#!/usr/bin/env bash
# Packages the VS Code extension offline with @vscode/vsce (run `npm ci` first):
#   scripts/package.sh [--check] [SERVER_BINARY]
# Always writes layerlens-VERSION-no-server.vsix (universal; finds the server through
# layerlens.server.path or PATH). With SERVER_BINARY it also writes layerlens-VERSION-TARGET.vsix
# with the binary inside as bin/layerlens (TARGET is $VSCE_TARGET, default linux-x64; build the
# binary for that platform, e.g. GOOS=darwin GOARCH=arm64 for darwin-arm64). --check verifies
# the archives' contents. VSIXes go to $VSIX_OUT (default: this directory).
set -euo pipefail
cd "$(dirname "$0")/.."
check=0
if [ "${1:-}" = --check ]; then check=1; shift; fi
server=${1:-}
target=${VSCE_TARGET:-linux-x64}
out=${VSIX_OUT:-$PWD}
mkdir -p "$out"
version=$(node -p 'require("./package.json").version')
exe=layerlens
case $target in win32-*) exe=layerlens.exe ;; esac
# vsce refuses to package without a LICENSE; LICENSE here links to the repository's.
[ -e LICENSE ] || { echo "LICENSE missing (it should link to ../../LICENSE)" >&2; exit 1; }
rm -rf bin
npx vsce package --no-dependencies -o "$out/layerlens-$version-no-server.vsix" >/dev/null
if [ -n "$server" ]; then
  mkdir -p bin
  cp "$server" "bin/$exe"
  chmod 0755 "bin/$exe"
  npx vsce package --no-dependencies --target "$target" -o "$out/layerlens-$version-$target.vsix" >/dev/null
  rm -rf bin
fi
ls -l "$out"/layerlens-"$version"-*.vsix
[ $check = 1 ] || exit 0
python3 - "$out/layerlens-$version-no-server.vsix" "${server:+$out/layerlens-$version-$target.vsix}" "$target" "$exe" <<'PY'
import re, stat, sys, zipfile
universal, platform, target, exe = sys.argv[1:5]
def names(z): return set(z.namelist())
def must(cond, msg):
    if not cond:
        sys.exit("vsix check failed: " + msg)
with zipfile.ZipFile(universal) as z:
    n = names(z)
    lower = {x.lower() for x in n}
    for f in ("extension/package.json", "extension/dist/extension.js", "extension/readme.md", "extension/license.txt", "extension.vsixmanifest"):
        must(f in lower, f"{universal}: {f} missing; has {sorted(n)}")
    must(not any(x.startswith("extension/bin/") for x in n), f"{universal}: has a bin/ but is the no-server VSIX")
    must(not any(x.startswith(("extension/node_modules/", "extension/src/", "extension/out/")) for x in n), f"{universal}: sources or node_modules packaged: {sorted(n)}")
    must("TargetPlatform" not in z.read("extension.vsixmanifest").decode(), f"{universal}: has a TargetPlatform")
print(f"ok {universal}: {len(n)} files, no server")
if platform:
    with zipfile.ZipFile(platform) as z:
        n = names(z)
        b = f"extension/bin/{exe}"
        must(b in n, f"{platform}: {b} missing")
        mode = z.getinfo(b).external_attr >> 16
        must(mode & stat.S_IXUSR, f"{platform}: {b} is not executable (mode {oct(mode)})")
        manifest = z.read("extension.vsixmanifest").decode()
        must(re.search(f'TargetPlatform="{re.escape(target)}"', manifest), f"{platform}: TargetPlatform is not {target}")
        print(f"ok {platform}: {b} mode {oct(mode & 0o777)}, TargetPlatform={target}, {z.getinfo(b).file_size} bytes")
PY
