"""First run: the wallet set-up wizard as a Qt-free state machine, drawn by the GUI (after Electrum's wizard).

The steps a new user walks through::

    WELCOME -> CHOOSE -+-> PASSWORD ------(create)----> RECOVERY_PHRASE -> DONE
                       +-> IMPORT -> PASSWORD --(import)--------------------> DONE

Keeping the rules here (what may advance, what each step needs, how strong a password is) means they
are tested without a window, and the GUI only draws the current step and forwards what the user typed.
Leaving PASSWORD is the only slow transition (scrypt, about a second): ``commit`` runs it off the loop.
The recovery phrase of a new account is handed out once by ``take_recovery_phrase`` and then forgotten.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from enum import StrEnum

from desktop_app.core.errors import UserFacingError
from desktop_app.core.wallet import AccountInfo, Wallet
from desktop_app.core.wallet.recovery import WORD_COUNTS

MIN_PASSWORD_LENGTH = 8
_HEX_KEY = re.compile(r"(0[xX])?[0-9a-fA-F]{64}")
# The few passwords (and their stems) every cracking list tries first; a match caps the score.
_COMMON = ("password", "123456", "qwerty", "azerty", "letmein", "welcome", "iexec", "admin", "secret")


class Step(StrEnum):
    WELCOME = "welcome"
    CHOOSE = "choose"
    IMPORT = "import"
    PASSWORD = "password"  # noqa: S105 - a step name
    RECOVERY_PHRASE = "recovery-phrase"
    DONE = "done"


class Choice(StrEnum):
    CREATE = "create"
    IMPORT = "import"


class SecretKind(StrEnum):
    PRIVATE_KEY = "private-key"
    RECOVERY_PHRASE = "recovery-phrase"


@dataclass(frozen=True)
class Strength:
    """A password's strength for the meter: ``score`` 0 (unusable) to 4 (strong), a word and a hint."""

    score: int
    label: str
    hint: str

    @property
    def acceptable(self) -> bool:
        return self.score >= 1


def password_strength(password: str) -> Strength:
    """A cheap estimate in the spirit of zxcvbn: length first, then variety, minus the obvious patterns.

    It only guides the user; the keystore's scrypt cost is what slows an attacker down.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return Strength(0, "too short", f"use at least {MIN_PASSWORD_LENGTH} characters")
    classes = sum(
        bool(re.search(pattern, password)) for pattern in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]")
    )
    score = 1 + (len(password) >= 12) + (len(password) >= 16) + (classes >= 3)
    lowered = password.lower()
    if any(word in lowered for word in _COMMON) or len(set(password)) <= 3:
        score = 1
    score = min(score, 4)
    labels = {1: "weak", 2: "fair", 3: "good", 4: "strong"}
    hints = {
        1: "add a few unrelated words to make it longer",
        2: "longer is stronger: a short sentence works well",
        3: "a few more characters make it strong",
        4: "",
    }
    return Strength(score, labels[score], hints[score])


def secret_kind(text: str) -> SecretKind | None:
    """What a pasted secret looks like (a hex private key or a phrase of 12-24 words), or None.

    Only the shape is checked here; the wallet validates words and checksum when it imports.
    """
    stripped = text.strip()
    if _HEX_KEY.fullmatch(stripped):
        return SecretKind.PRIVATE_KEY
    words = stripped.split()
    if len(words) in WORD_COUNTS and all(word.isalpha() for word in words):
        return SecretKind.RECOVERY_PHRASE
    return None


class WalletSetup:
    """One walk through the wizard. Holds the secrets typed so far, in memory only, until ``commit``."""

    def __init__(self, wallet: Wallet, label: str = "", *, start: Step = Step.WELCOME) -> None:
        """``start=Step.CHOOSE`` skips the welcome, for adding an account to a wallet already in use."""
        self.wallet = wallet
        self.label = label
        self.step = start
        self.choice: Choice | None = None
        self.account: AccountInfo | None = None
        self._secret = ""
        self._password = ""
        self._confirmation = ""
        self._phrase: str | None = None
        self._history: list[Step] = []

    def __repr__(self) -> str:
        """Never shows the secret, the password or the phrase."""
        return f"WalletSetup(step={self.step.value}, choice={self.choice})"

    # -- what the user typed ------------------------------------------------------------------

    def choose(self, choice: Choice) -> Step:
        """Pick create or import on the CHOOSE step, and move on."""
        self._require(Step.CHOOSE)
        self.choice = choice
        return self._go(Step.PASSWORD if choice == Choice.CREATE else Step.IMPORT)

    def set_secret(self, text: str) -> SecretKind | None:
        self._secret = text
        return secret_kind(text)

    def set_password(self, password: str, confirmation: str) -> Strength:
        self._password, self._confirmation = password, confirmation
        return password_strength(password)

    @property
    def passwords_match(self) -> bool:
        return bool(self._password) and self._password == self._confirmation

    # -- moving between steps -----------------------------------------------------------------

    def problem(self) -> str:
        """Why the current step cannot advance yet ("" when it can): the GUI shows it beside Next."""
        if self.step == Step.CHOOSE:
            return "choose to create a new account or import one"
        if self.step == Step.IMPORT and secret_kind(self._secret) is None:
            return "paste a private key (64 hex characters) or a recovery phrase of 12 to 24 words"
        if self.step == Step.PASSWORD:
            strength = password_strength(self._password)
            if not strength.acceptable:
                return f"the password is {strength.label}: {strength.hint}"
            if not self.passwords_match:
                return "the two passwords differ"
        if self.step == Step.DONE:
            return "the set-up is finished"
        return ""

    @property
    def can_advance(self) -> bool:
        return not self.problem()

    def advance(self) -> Step:
        """Go to the next step; leaving PASSWORD needs ``commit`` instead (it creates the account)."""
        if problem := self.problem():
            raise UserFacingError(f"Cannot continue: {problem}.")
        if self.step == Step.PASSWORD:
            raise RuntimeError("leaving the password step creates the account: call commit()")
        following = {
            Step.WELCOME: Step.CHOOSE,
            Step.IMPORT: Step.PASSWORD,
            Step.RECOVERY_PHRASE: Step.DONE,
        }
        return self._go(following[self.step])

    def back(self) -> Step:
        """Return to the previous step; not possible once the account exists (it cannot be undone)."""
        if not self._history or self.account is not None:
            return self.step
        self.step = self._history.pop()
        return self.step

    @property
    def can_go_back(self) -> bool:
        return bool(self._history) and self.account is None

    async def commit(self) -> AccountInfo:
        """Create or import the account (slow: scrypt runs in a worker thread), then move on."""
        self._require(Step.PASSWORD)
        if problem := self.problem():
            raise UserFacingError(f"Cannot continue: {problem}.")
        if self.choice == Choice.CREATE:
            new = await asyncio.to_thread(self.wallet.create_account, self._password, self.label)
            account, self._phrase = new.account, new.mnemonic
            self._go(Step.RECOVERY_PHRASE)
        else:
            account = await asyncio.to_thread(self._import)
            self._go(Step.DONE)
        self.account = account
        self._secret = self._password = self._confirmation = ""
        return account

    def take_recovery_phrase(self) -> list[str]:
        """The new account's words, handed out once: a second call gets nothing."""
        phrase, self._phrase = self._phrase, None
        return phrase.split() if phrase else []

    # -- internals ----------------------------------------------------------------------------

    def _import(self) -> AccountInfo:
        if secret_kind(self._secret) == SecretKind.PRIVATE_KEY:
            return self.wallet.import_private_key(self._secret, self._password, self.label)
        return self.wallet.import_mnemonic(self._secret, self._password, self.label)

    def _go(self, step: Step) -> Step:
        self._history.append(self.step)
        self.step = step
        return step

    def _require(self, step: Step) -> None:
        if self.step != step:
            raise RuntimeError(f"this action belongs to the {step.value} step, not {self.step.value}")
