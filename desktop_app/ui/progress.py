"""A flow's progress events folded into a step checklist: which step runs, bytes done, speed and time left.

Qt-free on purpose: the checklist widget only draws a ``ProgressTracker``, and the arithmetic (rates,
ETA, steps the flow did not announce) is tested without a window. Step titles are the SDK's
``onStatusUpdate`` names; they are shown through a table with a readable fallback because the SDK has
renamed them before (ux-anchors §3.14).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from desktop_app.flows.progress import BytesProgress, Event, StepDone, StepStarted

STEP_LABELS = {
    "EXTRACT_DATA_SCHEMA": "Read the data and its schema",
    "CREATE_ZIP_FILE": "Pack the data",
    "CREATE_ENCRYPTION_KEY": "Create an encryption key",
    "ENCRYPT_FILE": "Encrypt",
    "UPLOAD_ENCRYPTED_FILE": "Upload the encrypted file",
    "DEPLOY_PROTECTED_DATA": "Register it on chain",
    "PUSH_SECRET_TO_SMS": "Hand the key to the Secret Management Service",
    "PUBLISH_DATASET_ORDER": "Publish the grant",
    "REVOKE_ACCESS": "Revoke on chain",
    "FETCH_ORDERS": "Find the orders",
    "PUSH_REQUESTER_SECRET": "Send the result key",
    "REQUEST_TO_PROCESS_PROTECTED_DATA": "Request the run",
    "TASK_EXECUTION": "Run inside the enclave",
    "START_SANDBOX": "Start the local sandbox",
    "CONNECT": "Connect to the network",
}
# Below this much elapsed time a rate is noise (one chunk): no speed or ETA is shown yet.
_MIN_RATE_WINDOW_S = 0.25


def step_label(step: str) -> str:
    """A readable name for an SDK status title, e.g. ``UPLOAD_ENCRYPTED_FILE`` -> "Upload the encrypted
    file"; an unknown title becomes its words in sentence case rather than an error."""
    return STEP_LABELS.get(step) or step.replace("_", " ").capitalize()


class StepStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"


@dataclass
class StepState:
    name: str
    status: StepStatus = StepStatus.PENDING
    detail: str = ""
    done_bytes: int = 0
    total_bytes: int = 0
    started_at: float | None = None
    _rate_origin: tuple[float, int] | None = None
    rate: float | None = None  # bytes per second since the first byte event of this step

    @property
    def label(self) -> str:
        return step_label(self.name)

    @property
    def has_bytes(self) -> bool:
        return self.total_bytes > 0

    @property
    def fraction(self) -> float:
        return min(self.done_bytes / self.total_bytes, 1.0) if self.total_bytes else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left at the current rate, or None before a rate is known."""
        if not self.rate or self.status != StepStatus.RUNNING:
            return None
        return max(self.total_bytes - self.done_bytes, 0) / self.rate


class ProgressTracker:
    """The checklist of one operation. ``apply`` takes the flow's events in the order they came."""

    def __init__(self, steps: Sequence[str] = (), clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.steps: list[StepState] = [StepState(name) for name in steps]

    def step(self, name: str) -> StepState:
        """The state of ``name``, appended if the flow reports a step it did not announce."""
        for state in self.steps:
            if state.name == name:
                return state
        state = StepState(name)
        self.steps.append(state)
        return state

    @property
    def current(self) -> StepState | None:
        """The step running now, or None. When two run at once (a protect's upload streams while its
        file is encrypted) it is the earlier one: the row says Encrypting until the encryption ends."""
        return next((s for s in self.steps if s.status == StepStatus.RUNNING), None)

    @property
    def finished_steps(self) -> int:
        return sum(s.status == StepStatus.DONE for s in self.steps)

    def apply(self, event: Event) -> None:
        state = self.step(event.step)
        now = self._clock()
        if isinstance(event, StepStarted):
            state.status, state.started_at = StepStatus.RUNNING, now
        elif isinstance(event, StepDone):
            state.status, state.detail = StepStatus.DONE, event.detail
            if state.total_bytes:
                state.done_bytes = state.total_bytes
        elif isinstance(event, BytesProgress):
            if state.status == StepStatus.PENDING:
                state.status, state.started_at = StepStatus.RUNNING, now
            state.done_bytes, state.total_bytes = event.done, event.total
            if state._rate_origin is None:
                state._rate_origin = (now, event.done)
            else:
                start, start_done = state._rate_origin
                if now - start >= _MIN_RATE_WINDOW_S:
                    state.rate = (event.done - start_done) / (now - start)


def format_bytes(count: float) -> str:
    """Binary units, as file managers show them: "512 B", "3.4 KiB", "1.2 GiB"."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    raise AssertionError("unreachable")


def format_duration(seconds: float) -> str:
    """Short and rounded up, for a "time left" hint: "3 s", "2 min 05 s", "1 h 10 min"."""
    whole = max(int(seconds + 0.999), 0)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


def describe_bytes(state: StepState) -> str:
    """ "12.0 of 40.0 MiB · 85.2 MiB/s · 3 s left" for a byte step (only the parts that are known)."""
    parts = [f"{format_bytes(state.done_bytes)} of {format_bytes(state.total_bytes)}"]
    if state.rate and state.status == StepStatus.RUNNING:
        parts.append(f"{state.rate / 2**20:.1f} MiB/s")
        if (eta := state.eta) is not None:
            parts.append(f"{format_duration(eta)} left")
    return " · ".join(parts)
