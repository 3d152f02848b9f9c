#!/usr/bin/env bash
# Build the Windows installer (NSIS) from a Windows one-folder bundle; runs on Linux (apt nsis) or in
# Git Bash on Windows.
#
#   installers/windows/build-installer.sh PAYLOAD_DIR [OUT_DIR]
#   installers/windows/build-installer.sh --placeholder [OUT_DIR]     (no Windows bundle: checks the script)
#
# PAYLOAD_DIR is `dataprotector-desktop/` as PyInstaller made it on Windows (the release workflow builds
# it on windows-latest and hands it over). The installer and its uninstaller are signed by sign.sh when a
# certificate is in the environment (see sign.sh). Output: OUT_DIR/DataProtectorDesktop-<version>-setup.exe
# (OUT_DIR defaults to build/installers).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/installers/windows"
payload="${1:?usage: build-installer.sh PAYLOAD_DIR|--placeholder [OUT_DIR]}"
out="${2:-$ROOT/build/installers}"
PY="${PYTHON:-python3}"
command -v makensis >/dev/null || { echo "makensis is missing: apt-get install nsis" >&2; exit 2; }

version="$("$PY" -c 'import sys; sys.path.insert(0, sys.argv[1]); import bundle; print(bundle.version())' "$ROOT/installers/pyinstaller")"
numeric="$("$PY" -c 'import sys; sys.path.insert(0, sys.argv[1]); import bundle; print(".".join(map(str, bundle.numeric_version(sys.argv[2]))))' "$ROOT/installers/pyinstaller" "$version")"

if [ "$payload" = --placeholder ]; then
  payload="$ROOT/build/windows-placeholder/dataprotector-desktop"
  rm -rf "$payload" && mkdir -p "$payload/_internal"
  for exe in DataProtectorDesktop.exe dataprotector-desktop.exe; do
    printf 'placeholder for %s: the real one is built by PyInstaller on Windows\n' "$exe" >"$payload/$exe"
  done
  echo "placeholder payload: no Windows bundle was built here" >"$payload/_internal/README.txt"
fi
[ -d "$payload" ] || { echo "no payload folder $payload" >&2; exit 2; }

icons="$ROOT/build/icons"
[ -f "$icons/dataprotector-desktop.ico" ] || "$PY" "$ROOT/installers/icons/make_icons.py" "$icons"
mkdir -p "$out"
setup="$out/DataProtectorDesktop-$version-setup.exe"
to_native() { if command -v cygpath >/dev/null; then cygpath -w "$1"; else printf '%s' "$1"; fi; }

makensis -V2 -NOCD \
  "-DVERSION=$version" "-DNUMERIC_VERSION=$numeric" \
  "-DPAYLOAD=$(to_native "$(cd "$payload" && pwd)")" \
  "-DICON=$(to_native "$icons/dataprotector-desktop.ico")" \
  "-DOUTFILE=$(to_native "$setup")" \
  "-DSIGN=$HERE/sign.sh" \
  "$(to_native "$HERE/dataprotector.nsi")"
echo "$setup"
