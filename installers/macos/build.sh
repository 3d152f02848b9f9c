#!/usr/bin/env bash
# Build the macOS app and DMG (on a Mac): PyInstaller BUNDLE, self-test, then sign-and-notarize.sh.
#
#   installers/macos/build.sh        (needs `make parts` or tools/build_parts.py run on this Mac)
#
# BUILD_PYTHON: a Python with the project, its `gui` extra and PyInstaller (default: python3).
# Output: build/installers/DataProtectorDesktop-<version>-macos-<arch>.dmg. Signing and notarization
# happen only when their secrets are in the environment (see sign-and-notarize.sh).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
PY="${BUILD_PYTHON:-python3}"
version="$("$PY" -c 'import sys; sys.path.insert(0, sys.argv[1]); import bundle; print(bundle.version())' "$ROOT/installers/pyinstaller")"

"$PY" "$ROOT/installers/icons/make_icons.py" "$BUILD_DIR/icons"
DATAPROTECTOR_ICONS_DIR="$BUILD_DIR/icons" "$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$BUILD_DIR/dist" --workpath "$BUILD_DIR/pyinstaller" "$ROOT/installers/pyinstaller/dataprotector.spec"
app="$BUILD_DIR/dist/DataProtector Desktop.app"
"$app/Contents/MacOS/dataprotector-desktop" --version
"$ROOT/installers/macos/sign-and-notarize.sh" "$app" \
  "$BUILD_DIR/installers/DataProtectorDesktop-$version-macos-$(uname -m).dmg"
