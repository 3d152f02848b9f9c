#!/usr/bin/env bash
# Authenticode-sign a Windows executable in place with osslsigncode, if a certificate is configured.
#
#   installers/windows/sign.sh FILE.exe
#
# The certificate comes from the environment only (CI secrets), never from the repository:
#   WINDOWS_SIGN_PFX          path to a PKCS#12 (.pfx/.p12) file holding the code-signing key and chain, or
#   WINDOWS_SIGN_PFX_BASE64   the same file, base64-encoded (how CI secrets usually carry it)
#   WINDOWS_SIGN_PASSWORD     its password (given to osslsigncode through a private file, not argv)
#   WINDOWS_SIGN_TIMESTAMP_URL an RFC 3161 timestamp server (optional; signatures then outlive the cert)
# With neither PFX variable set it signs nothing, says so, and succeeds: unsigned builds stay possible.
# makensis calls it for the uninstaller and the installer (!uninstfinalize, !finalize); the release
# workflow calls it for the bundle's executables before they are packed.
set -euo pipefail

file="${1:?usage: sign.sh FILE}"
if [ -z "${WINDOWS_SIGN_PFX:-}" ] && [ -z "${WINDOWS_SIGN_PFX_BASE64:-}" ]; then
  echo "[sign] $(basename "$file"): not signed (no WINDOWS_SIGN_PFX or WINDOWS_SIGN_PFX_BASE64)" >&2
  exit 0
fi
command -v osslsigncode >/dev/null || { echo "[sign] osslsigncode is missing (apt-get install osslsigncode)" >&2; exit 2; }

private="$(mktemp -d)"
trap 'rm -rf "$private"' EXIT
chmod 700 "$private"
pfx="${WINDOWS_SIGN_PFX:-$private/cert.pfx}"
if [ -z "${WINDOWS_SIGN_PFX:-}" ]; then
  printf '%s' "$WINDOWS_SIGN_PFX_BASE64" | base64 -d >"$pfx"
fi
printf '%s' "${WINDOWS_SIGN_PASSWORD:-}" >"$private/pass"

args=(sign -pkcs12 "$pfx" -readpass "$private/pass" -h sha256 -n "DataProtector Desktop" -i "https://iex.ec")
[ -n "${WINDOWS_SIGN_TIMESTAMP_URL:-}" ] && args+=(-ts "$WINDOWS_SIGN_TIMESTAMP_URL")
osslsigncode "${args[@]}" -in "$file" -out "$private/signed" >/dev/null
mv -f "$private/signed" "$file"
echo "[sign] $(basename "$file"): signed" >&2
