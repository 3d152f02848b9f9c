"""First run: welcome, then create or import an account, drawn from ``flows.wallet_setup``.

The state machine decides what may advance and why not; this view draws the current step, forwards what
the user types and shows the machine's ``problem()`` beside Next, so Next is never a silent no-op
(Picocrypt: fields stay disabled until their prerequisites are met). Creating the account (scrypt)
runs through the runner; the recovery phrase is shown once and wiped from the labels when left.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.wallet import AccountInfo
from desktop_app.flows.wallet_setup import Choice, SecretKind, Step, WalletSetup
from desktop_app.ui.context import AppState
from desktop_app.ui.operations import Operation, OperationRunner
from desktop_app.ui.theme import heading, set_tone

_STRENGTH_TONES = {0: "danger", 1: "danger", 2: "warning", 3: "success", 4: "success"}


def _paragraph(text: str, tone: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    if tone:
        set_tone(label, tone)
    return label


class FirstRunView(QWidget):
    completed = Signal(str)  # the new account's address

    def __init__(
        self,
        state: AppState,
        runner: OperationRunner,
        parent: QWidget | None = None,
        *,
        start: Step = Step.WELCOME,
    ) -> None:
        """``start=Step.CHOOSE`` is the same wizard for adding an account (the Wallet page's)."""
        super().__init__(parent)
        self.state, self.runner = state, runner
        self.setup = WalletSetup(state.context.wallet, start=start)
        self._busy = False
        self.pages = QStackedWidget()
        self._pages: dict[Step, QWidget] = {
            Step.WELCOME: self._welcome_page(),
            Step.CHOOSE: self._choose_page(),
            Step.IMPORT: self._import_page(),
            Step.PASSWORD: self._password_page(),
            Step.RECOVERY_PHRASE: self._phrase_page(),
        }
        for page in self._pages.values():
            self.pages.addWidget(page)
        self.back_button = QPushButton(self.tr("Back"))
        self.back_button.setAccessibleName(self.tr("Back"))
        self.back_button.clicked.connect(self._back)
        self.problem = _paragraph("", "muted")
        self.problem.setAccessibleName(self.tr("What is missing"))
        self.next_button = QPushButton()
        self.next_button.setProperty("primary", True)
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self._next)
        nav = QHBoxLayout()
        nav.addWidget(self.back_button)
        nav.addWidget(self.problem, 1)
        nav.addWidget(self.next_button)

        card = QFrame()
        card.setObjectName("card")
        unit = self.fontMetrics().height()
        card.setMaximumWidth(self.fontMetrics().averageCharWidth() * 84)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(unit * 2, unit * 2, unit * 2, unit * 2)
        inner.addWidget(self.pages, 1)
        inner.addLayout(nav)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card, 4)
        row.addStretch(1)
        outer.addLayout(row, 6)
        outer.addStretch(1)
        self._show()

    # -- pages --------------------------------------------------------------------------------

    def _page(self, title: str, *widgets: QWidget) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(round(self.fontMetrics().height() * 0.6))
        layout.addWidget(heading(title, 1.6))
        for widget in widgets:
            layout.addWidget(widget)
        layout.addStretch(1)
        return page

    def _welcome_page(self) -> QWidget:
        points = [
            self.tr("Protect personal files: they are encrypted on this computer before anything leaves it."),
            self.tr("Decide which iApps may process them, and take that permission back at any time."),
            self.tr("Run an iApp inside a secure enclave and check its proof yourself, on this computer."),
        ]
        return self._page(
            self.tr("Welcome to DataProtector Desktop"),
            _paragraph(self.tr("Keep control of your data while confidential apps work with it.")),
            *(_paragraph("•  " + point) for point in points),
            _paragraph(
                self.tr("First, you need an account: it owns your protected data and signs your choices."),
                "muted",
            ),
        )

    def _choose_page(self) -> QWidget:
        self.create_button = QPushButton(self.tr("Create a new account"))
        self.create_button.setAccessibleName(self.tr("Create a new account"))
        self.create_button.setProperty("primary", True)
        self.create_button.clicked.connect(lambda: self._choose(Choice.CREATE))
        self.import_button = QPushButton(self.tr("Import an existing account"))
        self.import_button.setAccessibleName(self.tr("Import an existing account"))
        self.import_button.clicked.connect(lambda: self._choose(Choice.IMPORT))
        return self._page(
            self.tr("Your account"),
            _paragraph(
                self.tr("Create a new account, or import one with its private key or recovery phrase.")
            ),
            self.create_button,
            _paragraph(self.tr("A new account comes with a recovery phrase to write down."), "muted"),
            self.import_button,
            _paragraph(self.tr("From MetaMask or another Ethereum wallet."), "muted"),
        )

    def _import_page(self) -> QWidget:
        self.secret = QPlainTextEdit()
        self.secret.setAccessibleName(self.tr("Private key or recovery phrase"))
        self.secret.setPlaceholderText(self.tr("Paste a private key or a recovery phrase"))
        self.secret.setMaximumHeight(self.fontMetrics().height() * 5)
        self.secret.textChanged.connect(self._secret_changed)
        self.secret_kind = _paragraph("", "muted")
        return self._page(
            self.tr("Import an account"),
            _paragraph(self.tr("It stays on this computer, encrypted with the password you choose next.")),
            self.secret,
            self.secret_kind,
        )

    def _password_page(self) -> QWidget:
        self.password = QLineEdit()
        self.confirmation = QLineEdit()
        for field, name in ((self.password, self.tr("Password")), (self.confirmation, self.tr("Repeat it"))):
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.setPlaceholderText(name)
            field.setAccessibleName(name)
            field.textChanged.connect(self._password_changed)
        self.confirmation.returnPressed.connect(self._next)
        self.strength = QProgressBar()
        self.strength.setRange(0, 4)
        self.strength.setTextVisible(False)
        self.strength.setAccessibleName(self.tr("Password strength"))
        self.strength_text = _paragraph("", "muted")
        self.match = _paragraph("", "muted")
        return self._page(
            self.tr("Choose a password"),
            _paragraph(
                self.tr(
                    "It encrypts your account on this computer and is asked before anything is signed. "
                    "Nobody can recover it for you."
                )
            ),
            self.password,
            self.strength,
            self.strength_text,
            self.confirmation,
            self.match,
        )

    def _phrase_page(self) -> QWidget:
        self.words_grid = QGridLayout()
        words = QWidget()
        words.setLayout(self.words_grid)
        words.setAccessibleName(self.tr("Recovery phrase"))
        self.written = QCheckBox(self.tr("I have written down my recovery phrase"))
        self.written.setAccessibleName(self.tr("I have written down my recovery phrase"))
        self.written.toggled.connect(self._refresh_nav)
        return self._page(
            self.tr("Your recovery phrase"),
            _paragraph(
                self.tr(
                    "Write these words down on paper, in order, and keep them somewhere safe and offline. "
                    "They are the only way to restore this account if this computer is lost. They are "
                    "shown only this once; anyone who has them controls your data."
                ),
                "warning",
            ),
            words,
            self.written,
        )

    # -- reacting -----------------------------------------------------------------------------

    def _choose(self, choice: Choice) -> None:
        self.setup.choose(choice)
        self._show()

    def _secret_changed(self) -> None:
        kind = self.setup.set_secret(self.secret.toPlainText())
        text = (
            {
                SecretKind.PRIVATE_KEY: self.tr("This looks like a private key."),
                SecretKind.RECOVERY_PHRASE: self.tr("This looks like a recovery phrase."),
            }.get(kind, "")
            if kind
            else ""
        )
        self.secret_kind.setText(text)
        self._refresh_nav()

    def _password_changed(self) -> None:
        strength = self.setup.set_password(self.password.text(), self.confirmation.text())
        self.strength.setValue(strength.score)
        described = self.tr("Strength: %1").replace("%1", strength.label)
        if strength.hint:
            described += " — " + strength.hint
        self.strength_text.setText(described + "." if self.password.text() else "")
        set_tone(self.strength_text, _STRENGTH_TONES[strength.score])
        if self.confirmation.text():
            matches = self.setup.passwords_match
            self.match.setText(
                self.tr("✓ The passwords match.") if matches else self.tr("The passwords differ.")
            )
            set_tone(self.match, "success" if matches else "danger")
        else:
            self.match.setText("")
        self._refresh_nav()

    def _back(self) -> None:
        self.setup.back()
        self._show()

    def _next(self) -> None:
        if self._busy or not self.setup.can_advance:
            return
        if self.setup.step == Step.PASSWORD:
            self._commit()
            return
        if self.setup.step == Step.RECOVERY_PHRASE and not self.written.isChecked():
            return
        self.setup.advance()
        self._show()

    def _commit(self) -> None:
        self._set_busy(True)

        async def work(_operation: Operation) -> AccountInfo:
            return await self.setup.commit()

        creating = self.setup.choice == Choice.CREATE
        operation = self.runner.run(
            self.tr("Create your account") if creating else self.tr("Import your account"),
            work,
            progress="inline",
            on_success=lambda _account: self._committed(),
        )
        operation.finished.connect(lambda: self._set_busy(False))

    def _committed(self) -> None:
        """The key and password leave the widgets once the account is encrypted on disk."""
        for field in (self.password, self.confirmation):
            field.blockSignals(True)
            field.clear()
            field.blockSignals(False)
        self.secret.blockSignals(True)
        self.secret.clear()
        self.secret.blockSignals(False)
        self._show()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._refresh_nav()

    # -- drawing ------------------------------------------------------------------------------

    def _show(self) -> None:
        step = self.setup.step
        if step == Step.DONE:
            self._wipe_phrase()
            assert self.setup.account is not None
            self.completed.emit(self.setup.account.address)
            return
        if step == Step.RECOVERY_PHRASE and self.words_grid.count() == 0:
            self._fill_phrase(self.setup.take_recovery_phrase())
        self.pages.setCurrentWidget(self._pages[step])
        self._refresh_nav()
        focus = {Step.IMPORT: self.secret, Step.PASSWORD: self.password, Step.CHOOSE: self.create_button}
        if step in focus:
            focus[step].setFocus()

    def _refresh_nav(self) -> None:
        step = self.setup.step
        labels = {
            Step.WELCOME: self.tr("Get started"),
            Step.IMPORT: self.tr("Next"),
            Step.PASSWORD: self.tr("Create account")
            if self.setup.choice == Choice.CREATE
            else self.tr("Import account"),
            Step.RECOVERY_PHRASE: self.tr("Continue"),
        }
        self.next_button.setVisible(step in labels)
        busy_label = self.tr("Encrypting your account…")
        self.next_button.setText(busy_label if self._busy else labels.get(step, ""))
        self.next_button.setAccessibleName(self.next_button.text())
        ready = self.setup.can_advance and (step != Step.RECOVERY_PHRASE or self.written.isChecked())
        self.next_button.setEnabled(ready and not self._busy)
        self.back_button.setVisible(self.setup.can_go_back)
        self.back_button.setEnabled(not self._busy)
        # The password page says what is wrong beside each field; the import page says it here.
        typed = bool(self.secret.toPlainText().strip())
        problem = self.setup.problem() if step == Step.IMPORT and typed else ""
        self.problem.setText(problem[:1].upper() + problem[1:] + "." if problem else "")

    def _fill_phrase(self, words: list[str]) -> None:
        columns = 3
        for number, word in enumerate(words):
            label = QLabel(f"{number + 1}. {word}")
            label.setObjectName("phraseWord")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.words_grid.addWidget(label, number // columns, number % columns)

    def _wipe_phrase(self) -> None:
        """The words leave the widget tree as soon as the user moves on."""
        while (item := self.words_grid.takeAt(0)) is not None:
            widget = item.widget()
            if widget is not None:
                widget.deleteLater()
        self.written.setChecked(False)
