"""The macOS ``Info.plist`` entries PyInstaller's ``BUNDLE`` merges into ``DataProtector Desktop.app``.

Document types make the app a drop target: dragging any file or folder onto its Dock or Finder icon opens
it in Protect (rank *Alternate*: the app is offered, never made the default opener of a type). macOS hands
such files to the running app as Apple events, which Qt delivers as ``QFileOpenEvent`` (not as argv).
``installers/pyinstaller/dataprotector.spec`` imports this; ``tests/installers`` check it with plistlib.
"""

from __future__ import annotations

from typing import Any

MINIMUM_MACOS = "12.0"


def info_plist(version: str) -> dict[str, Any]:
    return {
        "CFBundleName": "DataProtector Desktop",
        "CFBundleDisplayName": "DataProtector Desktop",
        "CFBundleShortVersionString": version,
        "CFBundleVersion": version,
        "CFBundleDevelopmentRegion": "en",
        "LSApplicationCategoryType": "public.app-category.utilities",
        "LSMinimumSystemVersion": MINIMUM_MACOS,
        "NSHighResolutionCapable": True,
        "NSRequiresAquaSystemAppearance": False,  # follow the system's dark mode
        "NSHumanReadableCopyright": "Apache-2.0",
        "CFBundleDocumentTypes": [
            {
                "CFBundleTypeName": "Any file to protect",
                "CFBundleTypeRole": "Viewer",
                "LSHandlerRank": "Alternate",
                "LSItemContentTypes": ["public.data", "public.content"],
            },
            {
                "CFBundleTypeName": "Folder to protect",
                "CFBundleTypeRole": "Viewer",
                "LSHandlerRank": "Alternate",
                "LSItemContentTypes": ["public.folder"],
            },
        ],
    }
