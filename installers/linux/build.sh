#!/usr/bin/env bash
# Build the Linux installers: the one-folder PyInstaller bundle, a .deb and a tar.gz of the bundle.
#
#   installers/linux/build.sh            (from anywhere; needs `make parts` done, i.e. .parts/ present)
#
# Environment:
#   BUILD_DIR        where everything goes (default: build/ in the repository)
#   BUILD_PYTHON     a Python that already has the project and PyInstaller installed (CI); by default a
#                    venv is made in $BUILD_DIR/venv-build from PYTHON (default python3) with the `build`
#                    extra, plus the `gui` extra when pyproject.toml declares one
#   DEB_COMPRESSION  dpkg-deb compressor (default zstd: every distro the bundle's glibc allows reads it)
#
# Output in $BUILD_DIR/installers/: dataprotector-desktop_<version>_<arch>.deb,
# dataprotector-desktop-<version>-linux-<machine>.tar.gz and build-linux.json (sizes, times).
# Needs: dpkg-deb, desktop-file-validate (apt desktop-file-utils), objdump (binutils), tar, gzip.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/installers/linux"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
OUT="$BUILD_DIR/installers"
DEB_COMPRESSION="${DEB_COMPRESSION:-zstd}"
NAME=dataprotector-desktop

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
say() { printf '[build-linux] %s\n' "$*" >&2; }

for tool in dpkg-deb desktop-file-validate objdump; do
  command -v "$tool" >/dev/null || { say "missing $tool: apt-get install dpkg desktop-file-utils binutils"; exit 2; }
done
[ -f "$ROOT/.parts/manifest.json" ] || [ -n "${DATAPROTECTOR_PARTS_DIR:-}" ] ||
  { say "the sandbox parts are missing: run \`make parts\` first"; exit 2; }

start_all=$(now)
mkdir -p "$OUT"

# 1. A Python with the project and PyInstaller.
t=$(now)
if [ -n "${BUILD_PYTHON:-}" ]; then
  PY="$BUILD_PYTHON"
else
  VENV="$BUILD_DIR/venv-build"
  extras=build
  grep -Eq '^gui *= *\[' "$ROOT/pyproject.toml" && extras="build,gui"
  stamp="$VENV/.installed-$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)-$extras"
  if [ ! -f "$stamp" ]; then
    say "making the build venv ($extras extras)"
    rm -rf "$VENV"
    "${PYTHON:-python3}" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -e "${ROOT}[${extras}]"
    if [ "$extras" = build ] && grep -rqE '^\s*(from|import)\s+(PySide6|qasync)' "$ROOT/desktop_app/ui"; then
      # The window exists but pyproject.toml declares no `gui` extra yet: the packages the design names.
      "$VENV/bin/python" -m pip install --quiet PySide6-Essentials qasync
    fi
    touch "$stamp"
  fi
  PY="$VENV/bin/python"
fi
VERSION="$("$PY" -c 'import sys; sys.path.insert(0, sys.argv[1]); import bundle; print(bundle.version())' "$ROOT/installers/pyinstaller")"
t_venv=$(since "$t")

# 2. Icons, then the one-folder bundle.
t=$(now)
"$PY" "$ROOT/installers/icons/make_icons.py" "$BUILD_DIR/icons"
DATAPROTECTOR_ICONS_DIR="$BUILD_DIR/icons" "$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$BUILD_DIR/dist" --workpath "$BUILD_DIR/pyinstaller" \
  "$ROOT/installers/pyinstaller/dataprotector.spec"
BUNDLE="$BUILD_DIR/dist/$NAME"
"$BUNDLE/$NAME" --version >/dev/null
t_bundle=$(since "$t")

# 3. The tar.gz: the bundle under <name>-<version>/, owned by root, with the icon and desktop entry.
t=$(now)
machine="$(uname -m)"
tarball="$OUT/$NAME-$VERSION-linux-$machine.tar.gz"
stage="$BUILD_DIR/tar-stage"
rm -rf "$stage" && mkdir -p "$stage"
cp -a "$BUNDLE" "$stage/$NAME-$VERSION"
cp "$HERE/$NAME.desktop" "$BUILD_DIR/icons/$NAME.png" "$stage/$NAME-$VERSION/"
tar -C "$stage" --owner=0 --group=0 --numeric-owner --sort=name -czf "$tarball" "$NAME-$VERSION"
rm -rf "$stage"
t_tar=$(since "$t")

# 4. The .deb: /opt/<name> (the bundle), /usr/bin/<name>, desktop entry, icons, MIME type, docs.
t=$(now)
arch="$(dpkg --print-architecture)"
deb="$OUT/${NAME}_${VERSION}_${arch}.deb"
root="$BUILD_DIR/deb-root"
rm -rf "$root"
install -d "$root/DEBIAN" "$root/opt" "$root/usr/bin" "$root/usr/share/applications" \
  "$root/usr/share/mime/packages" "$root/usr/share/doc/$NAME" "$root/usr/share/icons/hicolor/scalable/apps"
cp -a "$BUNDLE" "$root/opt/$NAME"
ln -s "/opt/$NAME/$NAME" "$root/usr/bin/$NAME"
desktop-file-validate "$HERE/$NAME.desktop"
install -m 644 "$HERE/$NAME.desktop" "$root/usr/share/applications/$NAME.desktop"
install -m 644 "$HERE/$NAME.xml" "$root/usr/share/mime/packages/$NAME.xml"
install -m 644 "$HERE/copyright" "$root/usr/share/doc/$NAME/copyright"
for size in 16 24 32 48 64 128 256 512; do
  install -D -m 644 "$BUILD_DIR/icons/$NAME-$size.png" "$root/usr/share/icons/hicolor/${size}x${size}/apps/$NAME.png"
done
install -m 644 "$BUILD_DIR/icons/$NAME.svg" "$root/usr/share/icons/hicolor/scalable/apps/$NAME.svg"
depends="$("$PY" "$HERE/debdeps.py" "$BUNDLE")"
installed_size="$(du -sk --exclude=DEBIAN "$root" | cut -f1)"
sed -e "s|@VERSION@|$VERSION|" -e "s|@ARCH@|$arch|" -e "s/@INSTALLED_SIZE@/$installed_size/" \
  -e "s/@DEPENDS@/$depends/" "$HERE/control.in" >"$root/DEBIAN/control"
chmod -R u+rwX,go+rX,go-w "$root"
dpkg-deb --root-owner-group -Z"$DEB_COMPRESSION" --build "$root" "$deb" >/dev/null
rm -rf "$root"
t_deb=$(since "$t")

bundle_bytes="$(du -sb "$BUNDLE" | cut -f1)"
deb_bytes="$(stat -c %s "$deb")"
tar_bytes="$(stat -c %s "$tarball")"
cat >"$OUT/build-linux.json" <<EOF
{"version": "$VERSION", "deb": "$deb", "tarball": "$tarball", "bundle": "$BUNDLE",
 "bundle_bytes": $bundle_bytes, "deb_bytes": $deb_bytes, "tarball_bytes": $tar_bytes, "depends": "$depends",
 "seconds": {"venv": $t_venv, "bundle": $t_bundle, "tarball": $t_tar, "deb": $t_deb, "total": $(since "$start_all")}}
EOF
say "bundle $((bundle_bytes / 1048576)) MiB in ${t_bundle}s; $(basename "$deb") $((deb_bytes / 1048576)) MiB; $(basename "$tarball") $((tar_bytes / 1048576)) MiB"
say "Depends: $depends"
cat "$OUT/build-linux.json"
