#!/usr/bin/env bash
# Install the Debian tools the installer builds and their tests use, when any is missing (needs root).
#   debootstrap (the clean root of the .deb smoke test), desktop-file-utils (desktop-file-validate),
#   nsis (makensis), osslsigncode (Authenticode), binutils (objdump: PyInstaller and debdeps.py),
#   and the lint of the installer scripts (apt shellcheck).
set -euo pipefail
declare -A tool_of=([debootstrap]=debootstrap [desktop-file-validate]=desktop-file-utils [makensis]=nsis
                    [osslsigncode]=osslsigncode [objdump]=binutils [dpkg-deb]=dpkg [shellcheck]=shellcheck)
missing=()
for tool in "${!tool_of[@]}"; do
  command -v "$tool" >/dev/null || missing+=("${tool_of[$tool]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "missing ${missing[*]}: run as root, or apt-get install them" >&2
  exit 2
fi
apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
