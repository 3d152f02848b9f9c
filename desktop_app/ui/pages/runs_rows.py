"""The runs of the Runs page as data: each run's timeline, from the order to the verified result.

Qt-free, so the timeline is tested as data. A run's timeline has seven stages (ordered, matched, running,
completed, result downloaded, decrypted, verified). Runs started in this window are fed the flows'
progress events as they happen; runs read back from the run journal (``core.store.runs``) after a restart
start from what the journal knows (ordered and matched when the run was recorded, and its final status),
and go on from there when the page follows them again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from PySide6.QtCore import QT_TRANSLATE_NOOP

from desktop_app.core.attestation.task_proof import TaskProofReport
from desktop_app.core.iexec.orders import NULL_ADDRESS
from desktop_app.core.store.runs import RunRecord
from desktop_app.flows import result as result_flow
from desktop_app.flows import run as run_flow
from desktop_app.flows.access import GrantView
from desktop_app.flows.progress import Event, StepDone, StepStarted
from desktop_app.flows.result import ResultFiles


class Stage(StrEnum):
    ORDERED = "ordered"
    MATCHED = "matched"
    RUNNING = "running"
    COMPLETED = "completed"
    DOWNLOADED = "downloaded"
    DECRYPTED = "decrypted"
    VERIFIED = "verified"


# Marked for the translators; shown through ``QCoreApplication.translate("Timeline", ...)``.
STAGE_LABELS: dict[Stage, str] = {
    Stage.ORDERED: str(QT_TRANSLATE_NOOP("Timeline", "Ordered")),
    Stage.MATCHED: str(QT_TRANSLATE_NOOP("Timeline", "Matched on chain")),
    Stage.RUNNING: str(QT_TRANSLATE_NOOP("Timeline", "Running inside the enclave")),
    Stage.COMPLETED: str(QT_TRANSLATE_NOOP("Timeline", "Completed")),
    Stage.DOWNLOADED: str(QT_TRANSLATE_NOOP("Timeline", "Result downloaded")),
    Stage.DECRYPTED: str(QT_TRANSLATE_NOOP("Timeline", "Decrypted")),
    Stage.VERIFIED: str(QT_TRANSLATE_NOOP("Timeline", "Verified on this machine")),
}


class StageStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    DONE = "done"
    FAILED = "failed"


@dataclass
class StageState:
    status: StageStatus = StageStatus.PENDING
    at: float | None = None  # when it started (active) or ended (done, failed)
    detail: str = ""  # what happened; for a failure, why
    hint: str = ""  # for a failure, what to do about it


# What a person can do when the task itself did not end well.
_TASK_HINTS = {
    "FAILED": "Check the iApp's arguments and your data, then run it again; the price was refunded.",
    "TIMEOUT": "Claim the task to be refunded, then run it again.",
}
_RETRY_HINTS = {
    Stage.ORDERED: "Start the run again.",
    Stage.MATCHED: "Start the run again.",
    Stage.RUNNING: "Refresh (F5) to follow it again.",
    Stage.DOWNLOADED: "Fetch the result again.",
    Stage.DECRYPTED: "Fetch the result again.",
    Stage.VERIFIED: "Verify again.",
}
FINAL_STATUSES = frozenset({"COMPLETED", "FAILED", "TIMEOUT"})


class Timeline:
    """The seven stages of one run; ``apply`` takes the flows' events (run, follow, fetch_result)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self.stages: dict[Stage, StageState] = {stage: StageState() for stage in Stage}

    @classmethod
    def from_record(cls, record: RunRecord, clock: Callable[[], float] = time.time) -> Timeline:
        """What the journal knows: the run was ordered and matched when recorded, and how it ended."""
        timeline = cls(clock)
        for stage in (Stage.ORDERED, Stage.MATCHED):
            timeline._set(stage, StageStatus.DONE, record.created)
        if record.status in FINAL_STATUSES:
            timeline.task_ended(record.status, record.reason, record.updated)
        return timeline

    def __getitem__(self, stage: Stage) -> StageState:
        return self.stages[stage]

    def _set(self, stage: Stage, status: StageStatus, at: float | None = None, detail: str = "",
             hint: str = "") -> None:  # fmt: skip
        self.stages[stage] = StageState(status, self._clock() if at is None else at, detail, hint)

    def apply(self, event: Event) -> None:
        if isinstance(event, StepStarted):
            started = {
                run_flow.FETCH_ORDERS: Stage.ORDERED,
                run_flow.TASK_EXECUTION: Stage.RUNNING,
                result_flow.TASK_RESULT_DOWNLOAD: Stage.DOWNLOADED,
                result_flow.TASK_RESULT_DECRYPT: Stage.DECRYPTED,
            }.get(event.step)
            if started is not None and self[started].status == StageStatus.PENDING:
                self._set(started, StageStatus.ACTIVE)
        elif isinstance(event, StepDone):
            if event.step == run_flow.REQUEST_TO_PROCESS_PROTECTED_DATA:
                if self[Stage.ORDERED].status != StageStatus.DONE:
                    self._set(Stage.ORDERED, StageStatus.DONE)
                self._set(Stage.MATCHED, StageStatus.DONE)
            elif event.step == result_flow.TASK_RESULT_DOWNLOAD:
                self._set(Stage.DOWNLOADED, StageStatus.DONE)
            elif event.step == result_flow.TASK_RESULT_DECRYPT:
                self._set(Stage.DECRYPTED, StageStatus.DONE)

    def ordered(self) -> None:
        """The request order was signed (the review approved it)."""
        self._set(Stage.ORDERED, StageStatus.DONE)

    def task_ended(self, status: str, reason: str, at: float | None = None) -> None:
        """The chain's final word on the task: COMPLETED, FAILED or TIMEOUT (with the reason)."""
        if status == "COMPLETED":
            self._set(Stage.RUNNING, StageStatus.DONE, at)
            self._set(Stage.COMPLETED, StageStatus.DONE, at)
            return
        what = "Timed out" if status == "TIMEOUT" else "The task failed"
        self._set(Stage.RUNNING, StageStatus.DONE, at)
        self._set(Stage.COMPLETED, StageStatus.FAILED, at, f"{what}: {reason}" if reason else what,
                  _TASK_HINTS.get(status, ""))  # fmt: skip

    def verifying(self) -> None:
        self._set(Stage.VERIFIED, StageStatus.ACTIVE)

    def verified(self, report: TaskProofReport) -> None:
        failed = sum(not check.ok for check in report.checks)
        if failed:
            self._set(
                Stage.VERIFIED,
                StageStatus.FAILED,
                detail=f"{failed} of {len(report.checks)} checks failed",
                hint="Do not rely on this result: see the verification report.",
            )
        else:
            self._set(Stage.VERIFIED, StageStatus.DONE, detail=f"all {len(report.checks)} checks passed")

    def interrupted(self, message: str) -> None:
        """The work on the stage under way stopped on an error: that stage says why and what to do."""
        stage = self.active
        if stage is not None:
            self._set(stage, StageStatus.FAILED, detail=message, hint=_RETRY_HINTS.get(stage, ""))

    def clear_interruption(self) -> None:
        """Before trying again: only the chain's own verdict on the task stays failed."""
        for stage, state in self.stages.items():
            if state.status == StageStatus.FAILED and stage != Stage.COMPLETED:
                self.stages[stage] = StageState()

    def restart_result(self) -> None:
        """A new fetch (or a new verification) starts over from where the result begins."""
        for stage in (Stage.DOWNLOADED, Stage.DECRYPTED, Stage.VERIFIED):
            self.stages[stage] = StageState()

    @property
    def failure(self) -> tuple[Stage, StageState] | None:
        return next(
            ((s, state) for s, state in self.stages.items() if state.status == StageStatus.FAILED), None
        )

    @property
    def last_done(self) -> Stage | None:
        done = [stage for stage, state in self.stages.items() if state.status == StageStatus.DONE]
        return done[-1] if done else None

    @property
    def active(self) -> Stage | None:
        return next((s for s, state in self.stages.items() if state.status == StageStatus.ACTIVE), None)

    @property
    def task_final(self) -> bool:
        return self[Stage.COMPLETED].status in (StageStatus.DONE, StageStatus.FAILED)

    @property
    def completed(self) -> bool:
        return self[Stage.COMPLETED].status == StageStatus.DONE


class RunState(StrEnum):
    """What the list says about a run, in one phrase."""

    STARTING = "starting"
    RUNNING = "running"
    COMPLETED = "completed"
    FETCHING = "fetching"
    VERIFYING = "verifying"
    VERIFIED = "verified"
    FAILED = "failed"


RUN_STATE_TEXT = {
    RunState.STARTING: "Waiting for the enclave…",
    RunState.RUNNING: "Running inside the enclave…",
    RunState.COMPLETED: "Completed",
    RunState.FETCHING: "Fetching the result…",
    RunState.VERIFYING: "Verifying…",
    RunState.VERIFIED: "Verified ✓",
    RunState.FAILED: "Failed",
}


@dataclass
class RunEntry:
    """One run: the journal's record, readable names, its timeline, and what this session fetched."""

    record: RunRecord
    app_name: str
    dataset_name: str
    timeline: Timeline
    files: ResultFiles | None = None
    report: TaskProofReport | None = None
    finished_emitted: bool = field(default=False, compare=False)

    @property
    def task_id(self) -> str:
        return self.record.task_id

    @property
    def title(self) -> str:
        return f"{self.app_name or self.record.app} on {self.dataset_name or self.record.dataset}"

    @property
    def state(self) -> RunState:
        timeline = self.timeline
        failure = timeline.failure
        if failure is not None:
            return RunState.FAILED
        if timeline[Stage.VERIFIED].status == StageStatus.DONE:
            return RunState.VERIFIED
        if timeline[Stage.VERIFIED].status == StageStatus.ACTIVE:
            return RunState.VERIFYING
        if StageStatus.ACTIVE in (timeline[Stage.DOWNLOADED].status, timeline[Stage.DECRYPTED].status):
            return RunState.FETCHING
        if timeline.completed:
            return RunState.COMPLETED
        if timeline[Stage.RUNNING].status == StageStatus.ACTIVE:
            return RunState.RUNNING
        return RunState.STARTING

    @property
    def state_text(self) -> str:
        failure = self.timeline.failure
        if failure is not None:
            stage, state = failure
            if stage == Stage.COMPLETED:
                return state.detail
            if stage == Stage.VERIFIED:
                return f"Verification failed: {state.detail}"
            return f"{STAGE_LABELS[stage]}: failed"
        return RUN_STATE_TEXT[self.state]


class RunsIndex:
    """The page's runs, newest first: the journal's records, each with the timeline this session keeps."""

    def __init__(self) -> None:
        self.entries: dict[str, RunEntry] = {}
        self.loaded = False

    def set_records(self, records: list[RunRecord], names: dict[str, str]) -> None:
        """A fresh read of the journal; runs already known keep their timeline and fetched result."""
        fresh: dict[str, RunEntry] = {}
        for record in records:
            key = record.task_id.lower()
            entry = self.entries.get(key)
            if entry is None:
                entry = RunEntry(record, "", "", Timeline.from_record(record))
            else:
                entry.record = record
            entry.app_name = names.get(record.app.lower(), entry.app_name)
            entry.dataset_name = names.get(record.dataset.lower(), entry.dataset_name)
            fresh[key] = entry
        # A run started here a moment ago may not be in an older read yet: it stays.
        fresh.update({k: e for k, e in self.entries.items() if k not in fresh})
        self.entries = dict(sorted(fresh.items(), key=lambda item: -item[1].record.created))
        self.loaded = True

    def add(self, entry: RunEntry) -> None:
        self.entries = {entry.task_id.lower(): entry, **self.entries}

    def get(self, task_id: str) -> RunEntry | None:
        return self.entries.get(task_id.lower())

    def rows(self) -> list[RunEntry]:
        return list(self.entries.values())


def grant_usable(grant: GrantView, app: str, me: str) -> bool:
    """Whether ``grant`` lets ``me`` run ``app``: runs left, for this app (or any) and for me (or anyone).

    This is what the market is asked for when a run looks for a grant; without one the run is refused.
    """
    return (
        grant.remaining > 0
        and grant.app.lower() in (app.lower(), NULL_ADDRESS.lower())
        and grant.requester.lower() in (me.lower(), NULL_ADDRESS.lower())
    )
