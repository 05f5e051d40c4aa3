#!/usr/bin/env bash
# Unpacks a Debian package from another suite, with its whole dependency closure (glibc too),
# into DEST without installing anything, and writes DEST/bin/<prog> wrappers that run the
# programs through DEST's own dynamic loader. This is how CI gets a Neovim newer than the one
# Debian bookworm ships (0.7.2): trixie has 0.10.4, sid has 0.12.x.
#   editors/nvim/test/sysroot.sh trixie .cache/editors/nvim-trixie neovim
# Uses only apt's normal download path from the mirror apt is already configured with.
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 SUITE DEST PACKAGE..." >&2; exit 2; }
suite=$1
dest=$(realpath -m "$2")
shift 2
work=$dest/.apt
mkdir -p "$work/lists/partial" "$work/archives/partial" "$dest/bin"
# The first non-security Debian mirror in apt's sources (one-line or deb822 format).
mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
  | grep -oE '^(deb|URIs:)[[:space:]]+[a-z]+://[^[:space:]]+' | awk '{print $2}' | grep -v security | head -n 1 || true)
[ -n "$mirror" ] || { echo "$0: found no Debian mirror in apt's sources" >&2; exit 1; }
echo "deb $mirror $suite main" >"$work/sources.list"
: >"$work/status" # an empty dpkg status: apt downloads the full closure, libc6 included
opts=(-o Dir::Etc::SourceList="$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o Dir::State::Lists="$work/lists" -o Dir::State::status="$work/status"
  -o Dir::Cache::Archives="$work/archives" -o Debug::NoLocking=1 -o APT::Install-Recommends=false)
apt-get "${opts[@]}" -qq update
apt-get "${opts[@]}" -qq -y --download-only install "$@" >/dev/null
for deb in "$work"/archives/*.deb; do
  dpkg -x "$deb" "$dest"
done
rm -rf "$work"
loader=$dest/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
[ -e "$loader" ] || loader=$dest/lib64/ld-linux-x86-64.so.2
[ -e "$loader" ] || { echo "$0: no dynamic loader in the unpacked closure" >&2; exit 1; }
libs=$dest/usr/lib/x86_64-linux-gnu:$dest/lib/x86_64-linux-gnu
for prog in "$dest"/usr/bin/*; do
  name=$(basename "$prog")
  {
    echo '#!/bin/sh'
    # Neovim finds its runtime relative to /usr; point it at the unpacked one.
    [ -d "$dest/usr/share/nvim/runtime" ] && echo "export VIMRUNTIME='$dest/usr/share/nvim/runtime'"
    # Helix (package hx) likewise needs its runtime (grammars, queries).
    [ -d "$dest/usr/lib/hx/runtime" ] && echo "export HELIX_RUNTIME='$dest/usr/lib/hx/runtime'"
    # Child processes (the language server) use the system's loader and libraries as usual.
    echo "exec '$loader' --library-path '$libs' '$prog' \"\$@\""
  } >"$dest/bin/$name"
  chmod +x "$dest/bin/$name"
done
echo "$dest/bin: $(ls "$dest/bin" | tr '\n' ' ')"
