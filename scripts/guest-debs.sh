#!/usr/bin/env bash
# Fetch the Debian packages the real-guest tests boot from (test/integration/guest-*.test.ts): a
# packaged 6.1 kernel and busybox-static for each guest arch, downloaded with `apt-get download`
# into .tmp/guest-debs/<arch>/ — nothing is installed. The kernel metapackages are resolved to the
# versioned linux-image-6.1… package that holds vmlinuz and the modules.
#
# Idempotent: when .tmp/guest-debs/MANIFEST names files that are all there, it returns at once
# (no apt-get update). Any failure exits non-zero with one line saying what failed.
set -euo pipefail
cd "$(dirname "$0")/.."

DEST=.tmp/guest-debs
MANIFEST=$DEST/MANIFEST
# arch → the kernel metapackage Debian builds for it (s390x has no cloud flavour)
declare -A KERNEL=([amd64]=linux-image-cloud-amd64 [arm64]=linux-image-cloud-arm64 [s390x]=linux-image-s390x)
ARCHES=(amd64 arm64 s390x)

fail() { echo "guest-debs: $*" >&2; exit 1; }

if [ -s "$MANIFEST" ]; then
  ok=1
  while read -r f; do [ -s "$DEST/$f" ] || ok=0; done <"$MANIFEST"
  if [ "$ok" = 1 ]; then echo "guest-debs: already fetched ($(wc -l <"$MANIFEST") packages in $DEST)"; exit 0; fi
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
native=$(dpkg --print-architecture)
for a in "${ARCHES[@]}"; do
  [ "$a" = "$native" ] || dpkg --print-foreign-architectures | grep -qx "$a" || $SUDO dpkg --add-architecture "$a" || fail "dpkg --add-architecture $a failed"
done
$SUDO apt-get update -q >/dev/null || fail "apt-get update failed"

rm -f "$MANIFEST.new"
for a in "${ARCHES[@]}"; do
  mkdir -p "$DEST/$a"
  meta=${KERNEL[$a]}
  # `Depends: linux-image-6.1.0-57-cloud-arm64:arm64` → linux-image-6.1.0-57-cloud-arm64
  real=$(apt-cache depends "$meta:$a" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^: ]*\).*/\1/p' | head -n1)
  [ -n "$real" ] || fail "cannot resolve $meta:$a to a versioned linux-image package"
  for p in "$real" busybox-static; do
    have=$(ls "$DEST/$a/${p}_"*"_$a.deb" 2>/dev/null | head -n1 || true)
    if [ -z "$have" ]; then
      (cd "$DEST/$a" && apt-get download -q "$p:$a" >/dev/null 2>&1) || fail "apt-get download $p:$a failed"
      have=$(ls "$DEST/$a/${p}_"*"_$a.deb" 2>/dev/null | head -n1 || true)
      [ -n "$have" ] || fail "apt-get download $p:$a left no .deb in $DEST/$a"
    fi
    echo "${have#"$DEST/"}" >>"$MANIFEST.new"
  done
done
mv "$MANIFEST.new" "$MANIFEST"
echo "guest-debs: fetched $(wc -l <"$MANIFEST") packages into $DEST"
