#!/usr/bin/env bash
# package.sh check|install|remove: the Debian package in dist/.
#   check    its file list (test/package/files.txt + every sql/impayes_sync--*.sql),
#            its dependencies and version, that released install scripts are
#            unchanged (test/package/released.sha256), and META.json
#            (test/package/check-meta.js)
#   install  installs it where PG_CONFIG points: into the system PostgreSQL
#            with apt-get (the real thing), or, for a private copy of
#            PostgreSQL (a developer's sandbox), unpacks its files there
#   remove   apt-get remove, then checks its files are gone (system only)
# Prints "ok ..." / "FAILED ..." lines for test/run.sh to count.
set -euo pipefail
cd "$(dirname "$0")/.."
PKG=postgresql-15-impayes-sync
PG_CONFIG=${PG_CONFIG:-pg_config}
SYSTEM_LIBDIR=/usr/lib/postgresql/15/lib

ok() { echo "ok $*"; }
failed() { echo "FAILED $*"; status=1; }
status=0

deb_file() {
  local debs=(dist/"$PKG"_*.deb)
  [ -f "${debs[0]}" ] || { echo "FAILED no dist/${PKG}_*.deb (run: make deb)"; exit 1; }
  echo "${debs[0]}"
}
system_pg() { [ "$("$PG_CONFIG" --pkglibdir)" = "$SYSTEM_LIBDIR" ]; }

check() {
  local deb want got depends
  deb=$(deb_file)
  want=$(mktemp) got=$(mktemp)
  { grep -v '^#' test/package/files.txt
    for f in sql/impayes_sync--*.sql; do echo "usr/share/postgresql/15/extension/${f#sql/}"; done
  } | sort >"$want"
  dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $6}' | sed 's|^\./||' | sort >"$got"
  if diff -u "$want" "$got" >&2; then ok "package file list ($(wc -l <"$got") files)"
  else failed "package file list differs from test/package/files.txt (- expected, + in the package)"; fi
  rm -f "$want" "$got"

  depends=$(dpkg-deb -f "$deb" Depends)
  if [[ ", $depends," =~ ,\ postgresql-15[,\ ] ]] && [[ "$depends" =~ (^|,\ )libcurl4\ \( ]]; then
    ok "package depends on postgresql-15 and libcurl4 ($depends)"
  else failed "package dependencies: '$depends' lack postgresql-15 or libcurl4"; fi

  local version
  version=$(dpkg-parsechangelog -l debian/changelog -S Version)
  if [ "$(dpkg-deb -f "$deb" Version)" = "$version" ] && [ "$(basename "$deb")" = "${PKG}_${version}_amd64.deb" ]; then
    ok "package version $version (debian/changelog)"
  else failed "package $(basename "$deb") is not version $version of debian/changelog"; fi

  # Released install scripts never change: an update script does it.
  if sha256sum --quiet -c test/package/released.sha256 >&2; then
    ok "released install scripts unchanged ($(awk '{print $2}' test/package/released.sha256 | xargs))"
  else failed "a released install script changed (test/package/released.sha256): add an update script instead"; fi

  node test/package/check-meta.js || status=1
}

install_system() {
  local deb=$1 f
  export DEBIAN_FRONTEND=noninteractive
  if dpkg-query -W -f='${db:Status-Status}' "$PKG" 2>/dev/null | grep -q '^installed$'; then
    apt-get remove -y "$PKG" >/dev/null
  fi
  # Files of an earlier `make install` belong to no package: remove them so
  # that the tests run on the packaged files only.
  for f in "$SYSTEM_LIBDIR"/impayes_sync.so /usr/share/postgresql/15/extension/impayes_sync[.-]*; do
    [ -e "$f" ] && ! dpkg -S "$f" >/dev/null 2>&1 && rm -f "$f"
  done
  if apt-get install -y "./$deb" >/tmp/impayes-apt.log 2>&1 &&
    dpkg-query -W -f='${db:Status-Status}' "$PKG" | grep -q '^installed$'; then
    ok "apt-get install ./$deb"
  else
    cat /tmp/impayes-apt.log >&2
    failed "apt-get install ./$deb"
  fi
}

# A private copy of PostgreSQL (/opt/pg-NAME): the package's files, unpacked.
install_private() {
  local deb=$1 root libdir extdir
  libdir=$("$PG_CONFIG" --pkglibdir)
  extdir=$("$PG_CONFIG" --sharedir)/extension
  root=$(mktemp -d)
  dpkg-deb -x "$deb" "$root"
  rm -f "$libdir"/impayes_sync.so "$extdir"/impayes_sync[.-]*
  cp "$root$SYSTEM_LIBDIR"/impayes_sync.so "$libdir"/
  cp "$root"/usr/share/postgresql/15/extension/* "$extdir"/
  rm -rf "$root"
  ok "package files unpacked into the PostgreSQL of $PG_CONFIG"
}

remove() {
  system_pg || { echo "package.sh: private PostgreSQL ($PG_CONFIG): no apt-get remove to check"; return; }
  local files left
  files=$(dpkg -L "$PKG" 2>/dev/null | while read -r f; do [ -f "$f" ] && echo "$f"; done || true)
  if [ -z "$files" ]; then failed "apt-get remove $PKG: it is not installed"; return; fi
  DEBIAN_FRONTEND=noninteractive apt-get remove -y "$PKG" >/tmp/impayes-apt.log 2>&1 ||
    { cat /tmp/impayes-apt.log >&2; failed "apt-get remove $PKG"; return; }
  left=$(echo "$files" | while read -r f; do [ -e "$f" ] && echo "$f"; done || true)
  if [ -z "$left" ] && ! dpkg-query -W -f='${db:Status-Status}' "$PKG" 2>/dev/null | grep -q '^installed$'; then
    ok "apt-get remove $PKG takes its $(echo "$files" | wc -l) files away"
  else failed "apt-get remove $PKG left: $left"; fi
}

case "${1:-}" in
  check) check ;;
  install) if system_pg; then install_system "$(deb_file)"; else install_private "$(deb_file)"; fi ;;
  remove) remove ;;
  *) echo "usage: $0 check|install|remove" >&2; exit 2 ;;
esac
exit "$status"
