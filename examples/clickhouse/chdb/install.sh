#!/bin/sh
# Installs libchdb.so (pinned by package.json + package-lock.json next to this script) into a cache
# directory outside the repository, so worktrees and repeated builds share one 540 MB copy.
# Called by the examples pom (profile chdb-install) when the library is missing.
#
# Without npm, or on a platform the package does not support, it prints a loud warning and exits 0:
# ClickHouseIT then skips itself. With CI=true the library is required and this script fails instead.
set -eu
dest="$1"
here="$(cd "$(dirname "$0")" && pwd)"
lib="$dest/node_modules/@chdb/lib-linux-x64-gnu/libchdb.so"

missing() {
  if [ "${CI:-}" = "true" ]; then
    echo "ERROR: $1. CI=true requires libchdb for ClickHouseIT." >&2
    exit 1
  fi
  echo "" >&2
  echo "############################################################################" >&2
  echo "# WARNING: $1." >&2
  echo "# ClickHouseIT (the shipped ClickHouse DDL on a real engine) will be SKIPPED." >&2
  echo "# Install node/npm on linux-x64 (glibc) and re-run ./mvnw verify to run it." >&2
  echo "############################################################################" >&2
  echo "" >&2
  exit 0
}

[ -f "$lib" ] && exit 0
[ "$(uname -s)" = "Linux" ] && [ "$(uname -m)" = "x86_64" ] || missing "libchdb is only published for linux-x64, this is $(uname -s)-$(uname -m)"
command -v npm >/dev/null 2>&1 || missing "npm is not on the PATH"

# Install into a private folder, then rename it into place: two builds at once never see half a copy.
mkdir -p "$(dirname "$dest")"
tmp="$dest.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
cp "$here/package.json" "$here/package-lock.json" "$tmp/"
echo "Installing @chdb/lib-linux-x64-gnu (pinned in $here/package-lock.json) into $dest" >&2
npm ci --prefix "$tmp" --no-audit --no-fund --ignore-scripts --loglevel=error
if ! mv -T "$tmp" "$dest" 2>/dev/null; then
  rm -rf "$tmp"   # another build finished first
fi
[ -f "$lib" ] || { echo "ERROR: npm ci finished but $lib is missing" >&2; exit 1; }
