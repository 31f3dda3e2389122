#!/usr/bin/env bash
# build-deb.sh: builds dist/postgresql-15-impayes-sync_<version>_amd64.deb
# with Debian's tooling (dpkg-buildpackage, dh + pg_buildext, see debian/).
# It builds in a copy of the work tree under dist/build/, so the tree itself
# (and a developer's own `make` output in it) is left as it was. The build
# log is dist/build.log; the last built package is the only .deb in dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

for tool in dpkg-buildpackage dh pg_buildext; do
  command -v "$tool" >/dev/null ||
    { echo "build-deb: $tool missing (packages dpkg-dev, debhelper, postgresql-server-dev-all): run scripts/install-deps.sh" >&2; exit 1; }
done
git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
  { echo "build-deb: $repo is not a git work tree (the files to package are the tracked ones)" >&2; exit 1; }

version=$(dpkg-parsechangelog -l debian/changelog -S Version)
src=$(dpkg-parsechangelog -l debian/changelog -S Source)
dist=$repo/dist
build=$dist/build
rm -rf "$build"
mkdir -p "$build/$src-${version%-*}"
tree=$build/$src-${version%-*}

# The files git knows (tracked or new, not ignored), as they are on disk.
git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
  tar --null -T - -cf - | tar -xf - -C "$tree"

log=$dist/build.log
echo "build-deb: building $src $version (log: $log)"
if ! (cd "$tree" && dpkg-buildpackage -b --no-sign -j"$(nproc)") >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  echo "build-deb: FAILED (full log: $log)" >&2
  exit 1
fi
rm -f "$dist"/*.deb
mv "$build"/*.deb "$dist"/
rm -rf "$build"
ls "$dist"/*.deb
