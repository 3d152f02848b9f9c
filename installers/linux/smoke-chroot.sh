#!/usr/bin/env bash
# Install a .deb into a clean, minimal Debian root and run the installed app's --self-test there.
#
#   sudo installers/linux/smoke-chroot.sh build/installers/dataprotector-desktop_<v>_amd64.deb [OUT.json]
#
# The root is made once with `debootstrap --variant=minbase` from Debian's mirror and kept pristine in
# $CHROOT_CACHE (default build/chroot-cache); each run works on a fresh copy of it, so what the package
# needs must come from its Depends. Then, inside the copy, with no display and no stdin:
#   apt-get install ./package.deb          (pulls the Depends from the mirror)
#   dataprotector-desktop --version        (cold start, timed)
#   dataprotector-desktop --self-test      (the sandbox, protect, grant, run, verify: one JSON line)
#   a Qt check through the bundled Python  (offscreen QApplication, when the bundle holds Qt)
# and writes a summary JSON (to OUT.json, else stdout). Exit 0 only if all of it worked.
# Needs root (chroot, mount) and debootstrap (apt-get install debootstrap).
# Environment: CHROOT_CACHE, DEBIAN_SUITE (bookworm), DEBIAN_MIRROR (http://deb.debian.org/debian).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
deb="$(realpath "${1:?usage: smoke-chroot.sh PACKAGE.deb [OUT.json]}")"
out="${2:-}"
CACHE="${CHROOT_CACHE:-$ROOT/build/chroot-cache}"
SUITE="${DEBIAN_SUITE:-bookworm}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
pristine="$CACHE/$SUITE-minbase"
work="$CACHE/run-$$"
say() { printf '[smoke-chroot] %s\n' "$*" >&2; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

[ "$(id -u)" = 0 ] || { say "needs root (chroot, mount)"; exit 2; }
command -v debootstrap >/dev/null || { say "needs debootstrap: apt-get install debootstrap"; exit 2; }

# 1. The pristine minimal root, made once (built aside, then moved in place: never half made).
t=$(now)
if [ ! -f "$pristine/.complete" ]; then
  say "debootstrap --variant=minbase $SUITE (once; cached in $pristine)"
  rm -rf "$pristine" "$pristine.tmp"
  mkdir -p "$CACHE"
  debootstrap --variant=minbase "$SUITE" "$pristine.tmp" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 ||
    { tail -20 "$CACHE/debootstrap.log" >&2; exit 1; }
  chroot "$pristine.tmp" apt-get clean
  touch "$pristine.tmp/.complete"
  mv "$pristine.tmp" "$pristine"
fi
t_root=$(since "$t")

# 2. A fresh copy; /proc mounted for the app (psutil reads it); cleaned up whatever happens.
inside() {  # the PIDs of the processes running inside the copy (all of them started by this script)
  local link pid
  for link in /proc/[0-9]*/root; do
    if [ "$(readlink "$link" 2>/dev/null)" = "$work" ]; then
      pid="${link#/proc/}"
      echo "${pid%/root}"
    fi
  done
}
cleanup() {
  # Stop any process still running inside the copy, then unmount and delete it.
  for pid in $(inside); do kill -9 "$pid" 2>/dev/null || true; done
  if mountpoint -q "$work/proc"; then umount "$work/proc" || umount -l "$work/proc"; fi
  if ! mountpoint -q "$work/proc"; then rm -rf "$work"; fi
}
trap cleanup EXIT
t=$(now)
cp -a "$pristine" "$work"
cp /etc/resolv.conf "$work/etc/resolv.conf"
cp "$deb" "$work/tmp/package.deb"
mount -t proc proc "$work/proc"
t_copy=$(since "$t")

in_root() { chroot "$work" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
  DEBIAN_FRONTEND=noninteractive "$@"; }

# 3. Install the package the way a user would; its Depends come from the mirror.
t=$(now)
if ! { in_root apt-get update -q && in_root apt-get install -y --no-install-recommends /tmp/package.deb; } \
  >"$CACHE/apt-$$.log" 2>&1; then
  tail -30 "$CACHE/apt-$$.log" >&2
  exit 1
fi
packages_added="$(grep -Eo '[0-9]+ newly installed' "$CACHE/apt-$$.log" | cut -d' ' -f1 || true)"
rm -f "$CACHE/apt-$$.log"
t_install=$(since "$t")
installed_kb="$(du -sk "$work/opt/dataprotector-desktop" | cut -f1)"

# 4. The installed app: cold start, self-test, Qt.
t=$(now)
version="$(in_root dataprotector-desktop --version </dev/null)"
t_version=$(since "$t")

t=$(now)
selftest_rc=0
selftest="$(in_root QT_QPA_PLATFORM=offscreen dataprotector-desktop --self-test </dev/null 2>"$CACHE/selftest-$$.err")" ||
  selftest_rc=$?
t_selftest=$(since "$t")
[ "$selftest_rc" = 0 ] || { say "self-test failed (exit $selftest_rc)"; tail -20 "$CACHE/selftest-$$.err" >&2; }
rm -f "$CACHE/selftest-$$.err"
[ -n "$selftest" ] || selftest='null'
sleep 1
leftovers="$(inside | wc -l)"  # the self-test stops everything it started

qt='"no Qt in the bundle"'
qt_rc=0
if [ -d "$work/opt/dataprotector-desktop/_internal/PySide6" ]; then
  cat >"$work/tmp/qt_check.py" <<'EOF'
import json
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication(["dataprotector-desktop"])
label = QLabel("DataProtector Desktop")
label.show()
app.processEvents()
pixels = label.grab()
print(json.dumps({"platform": QGuiApplication.platformName(), "grab": [pixels.width(), pixels.height()]}))
EOF
  qt="$(in_root QT_QPA_PLATFORM=offscreen dataprotector-desktop --run-iapp /tmp/qt_check.py </dev/null 2>/dev/null)" ||
    qt_rc=$?
  [ -n "$qt" ] || qt='null'
fi

summary="$(cat <<EOF
{"suite": "$SUITE", "version": "$version", "packages_added": ${packages_added:-0}, "installed_kb": $installed_kb,
 "selftest_rc": $selftest_rc, "selftest": $selftest, "leftover_processes": $leftovers,
 "qt_rc": $qt_rc, "qt": $qt,
 "seconds": {"root": $t_root, "copy": $t_copy, "install": $t_install, "version_cold_start": $t_version,
             "selftest": $t_selftest}}
EOF
)"
if [ -n "$out" ]; then printf '%s\n' "$summary" >"$out"; else printf '%s\n' "$summary"; fi
[ "$selftest_rc" = 0 ] && [ "$qt_rc" = 0 ] && [ "$leftovers" = 0 ]
