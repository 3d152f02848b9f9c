#!/usr/bin/env bash
# Sign DataProtector Desktop.app, pack it in a DMG, sign, notarize and staple the DMG (macOS only).
#
#   installers/macos/sign-and-notarize.sh "build/dist/DataProtector Desktop.app" OUT.dmg
#
# Identities come from the environment only (CI secrets); each stage runs only when its secrets are set:
#   MACOS_CERT_P12_BASE64, MACOS_CERT_PASSWORD  a "Developer ID Application" certificate and key (.p12,
#                                               base64), imported into a temporary keychain, removed after
#   MACOS_SIGN_IDENTITY                         the identity to sign with, e.g. "Developer ID Application:
#                                               Example Ltd (TEAMID)"; without it the app is ad-hoc signed
#                                               (runs on the build Mac, Gatekeeper rejects it elsewhere)
#   notarization, either an App Store Connect API key:
#     MACOS_NOTARY_KEY_BASE64 (the .p8, base64), MACOS_NOTARY_KEY_ID, MACOS_NOTARY_ISSUER
#   or an Apple ID: MACOS_NOTARY_APPLE_ID, MACOS_NOTARY_PASSWORD (app-specific), MACOS_NOTARY_TEAM_ID
set -euo pipefail

app="${1:?usage: sign-and-notarize.sh APP OUT.dmg}"
dmg="${2:?usage: sign-and-notarize.sh APP OUT.dmg}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ENTITLEMENTS="$HERE/entitlements.plist"
say() { printf '[macos] %s\n' "$*" >&2; }
[ "$(uname -s)" = Darwin ] || { say "this step needs macOS (codesign, hdiutil, notarytool)"; exit 2; }

work="$(mktemp -d)"
keychain=""
cleanup() {
  if [ -n "$keychain" ]; then security delete-keychain "$keychain" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# 1. A temporary keychain holding the signing certificate (CI).
if [ -n "${MACOS_CERT_P12_BASE64:-}" ]; then
  keychain="$work/signing.keychain-db"
  kc_pass="$(openssl rand -hex 16)"
  printf '%s' "$MACOS_CERT_P12_BASE64" | base64 --decode >"$work/cert.p12"
  security create-keychain -p "$kc_pass" "$keychain"
  security set-keychain-settings -lut 3600 "$keychain"
  security unlock-keychain -p "$kc_pass" "$keychain"
  security import "$work/cert.p12" -k "$keychain" -P "${MACOS_CERT_PASSWORD:-}" -T /usr/bin/codesign
  security set-key-partition-list -S apple-tool:,apple: -s -k "$kc_pass" "$keychain" >/dev/null
  # shellcheck disable=SC2046  # the existing keychains, one word each
  security list-keychains -d user -s "$keychain" $(security list-keychains -d user | tr -d '"')
  rm -f "$work/cert.p12"
fi

# 2. Sign from the inside out: every Mach-O file (libraries, extension modules, anvil), then the app.
identity="${MACOS_SIGN_IDENTITY:--}"
[ "$identity" = - ] && say "no MACOS_SIGN_IDENTITY: ad-hoc signing (not distributable)"
timestamp=--timestamp
[ "$identity" = - ] && timestamp=--timestamp=none
sign() { codesign --force --options runtime "$timestamp" --sign "$identity" "$@"; }
while IFS= read -r -d '' file; do
  case "$(file -b "$file")" in
    *Mach-O*executable*) sign --entitlements "$ENTITLEMENTS" "$file" ;;  # anvil: a program of its own
    *Mach-O*) sign "$file" ;;
  esac
done < <(find "$app/Contents" -type f ! -path "*/Contents/MacOS/*" -print0)
while IFS= read -r -d '' exe; do sign --entitlements "$ENTITLEMENTS" "$exe"; done \
  < <(find "$app/Contents/MacOS" -type f -print0)
sign --entitlements "$ENTITLEMENTS" "$app"
codesign --verify --deep --strict --verbose=2 "$app"

# 3. The DMG: the app and a link to /Applications, compressed.
mkdir -p "$work/dmg" "$(dirname "$dmg")"
cp -R "$app" "$work/dmg/"
ln -s /Applications "$work/dmg/Applications"
rm -f "$dmg"
hdiutil create -volname "DataProtector Desktop" -srcfolder "$work/dmg" -fs HFS+ -format UDZO -ov "$dmg" >/dev/null
[ "$identity" != - ] && codesign --force --timestamp --sign "$identity" "$dmg"

# 4. Notarize and staple (only with a real identity and notary credentials).
notary=(none)
if [ -n "${MACOS_NOTARY_KEY_BASE64:-}" ]; then
  printf '%s' "$MACOS_NOTARY_KEY_BASE64" | base64 --decode >"$work/notary.p8"
  notary=(--key "$work/notary.p8" --key-id "${MACOS_NOTARY_KEY_ID:?}" --issuer "${MACOS_NOTARY_ISSUER:?}")
elif [ -n "${MACOS_NOTARY_APPLE_ID:-}" ]; then
  notary=(--apple-id "$MACOS_NOTARY_APPLE_ID" --password "${MACOS_NOTARY_PASSWORD:?}"
    --team-id "${MACOS_NOTARY_TEAM_ID:?}")
fi
if [ "$identity" != - ] && [ "${notary[0]}" != none ]; then
  say "notarizing $(basename "$dmg") (waits for Apple's answer)"
  xcrun notarytool submit "$dmg" "${notary[@]}" --wait --timeout 30m
  xcrun stapler staple "$dmg"
  spctl --assess --type open --context context:primary-signature --verbose "$dmg"
else
  say "not notarized (needs MACOS_SIGN_IDENTITY and notary credentials)"
fi
say "$dmg"
