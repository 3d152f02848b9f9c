"""The window in the user's language, when a translation of it exists.

Every string a person reads in the window goes through Qt's ``tr()``, so ``pyside6-lupdate`` extracts it
for translators (``make translations LOCALE=fr`` writes ``resources/i18n/dataprotector_fr.ts`` and compiles
the ``.qm`` the app loads). At start-up the app installs the translation for the system locale if one is
shipped, and Qt's own (standard buttons, file dialogs) from the Qt installation; with neither, the
window stays in English. Protocol and flow messages (core/flows errors) are English for now.
"""

from __future__ import annotations

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from desktop_app.core.resources import resources_dir

CATALOG = "dataprotector"


def install_translations(app: QApplication, locale: QLocale | None = None) -> list[QTranslator]:
    """Install the app's and Qt's translations for ``locale`` (default: the system's); those installed."""
    locale = locale or QLocale()
    installed = []
    for catalog, folder in (
        (CATALOG, str(resources_dir() / "i18n")),
        ("qtbase", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)),
    ):
        translator = QTranslator(app)
        if translator.load(locale, catalog, "_", folder, ".qm"):
            app.installTranslator(translator)
            installed.append(translator)
    return installed
