"""The rows of the Protected data page: the network's list, the local journal and the protects running now.

Qt-free, so the merge is tested as data. Three sources, one row each per piece of data:

- ``ProtectedItem``s from ``flows.listing.list_protected`` (what the chain or subgraph knows, plus
  unfinished journal entries), refreshed from the network;
- ``ProtectJob``s from the journal, for the details only the app knows (size, checksum, source, dates);
- ``LiveProtect``s, protects running in this window, whose progress is fresher than any refresh.

A running protect learns its job id only when the flow ends, so a live entry is matched to its journal
entry by source path and start time; the live entry then wins, and there is never a duplicate row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from desktop_app.core.store.protect_jobs import JobState, ProtectJob
from desktop_app.flows import protect as protect_flow
from desktop_app.flows.listing import ProtectedItem

# A journal entry created this long before a live protect started can still be that protect's
# (clocks are read at slightly different moments).
_MATCH_SLACK_S = 2.0


class DisplayState(StrEnum):
    DRAFT = "draft"
    WAITING = "waiting"  # started, before its first step: the unlock dialog or the network
    ENCRYPTING = "encrypting"
    UPLOADING = "uploading"
    REGISTERING = "registering"
    SECURING_KEY = "securing key"
    PROTECTED = "protected"
    FAILED = "failed"

    @property
    def busy(self) -> bool:
        return self in _BUSY


_BUSY = {
    DisplayState.WAITING,
    DisplayState.ENCRYPTING,
    DisplayState.UPLOADING,
    DisplayState.REGISTERING,
    DisplayState.SECURING_KEY,
}
_STATE_OF_STEP = {
    protect_flow.UPLOAD_ENCRYPTED_FILE: DisplayState.UPLOADING,
    protect_flow.DEPLOY_PROTECTED_DATA: DisplayState.REGISTERING,
    protect_flow.PUSH_SECRET_TO_SMS: DisplayState.SECURING_KEY,
}
# Once the chain transaction is on its way, stopping would leave half-registered data: no Cancel.
UNCANCELLABLE_STEPS = frozenset({protect_flow.DEPLOY_PROTECTED_DATA, protect_flow.PUSH_SECRET_TO_SMS})


class LiveOutcome(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass
class LiveProtect:
    """A protect running (or just ended) in this window."""

    token: str
    name: str
    source: str  # the resolved path, as the journal stores it
    started_at: float  # wall clock, comparable with ProtectJob.created
    job_id: str = ""  # known for a resume; found in the journal for a new protect
    address: str = ""  # the dataset, once the protect succeeded
    step: str | None = None
    outcome: LiveOutcome = LiveOutcome.RUNNING
    error: str = ""

    @property
    def state(self) -> DisplayState:
        if self.outcome == LiveOutcome.DONE:
            return DisplayState.PROTECTED
        if self.outcome == LiveOutcome.FAILED:
            return DisplayState.FAILED
        if self.step is None:
            return DisplayState.WAITING
        return _STATE_OF_STEP.get(self.step, DisplayState.ENCRYPTING)


@dataclass(frozen=True)
class Row:
    key: str
    name: str
    state: DisplayState
    address: str = ""
    schema: str = ""
    error: str = ""
    job: ProtectJob | None = field(default=None, compare=False)
    live_token: str = ""
    source: str = ""

    @property
    def identities(self) -> frozenset[str]:
        """Everything that names this data: keeps a selection across a refresh that changed the key."""
        names = {self.key, self.address.lower(), self.live_token}
        if self.job is not None:
            names.add(self.job.id)
        return frozenset(n for n in names if n)


def _state_of_item(item: ProtectedItem, job: ProtectJob | None) -> DisplayState:
    if item.state == JobState.PROTECTED:
        return DisplayState.PROTECTED
    if item.error or item.state == JobState.FAILED or (job is not None and job.error):
        return DisplayState.FAILED
    return DisplayState.DRAFT


class ProtectedIndex:
    """The page's data: replace ``items``/``jobs`` on refresh, add and update ``live`` as protects run."""

    def __init__(self) -> None:
        self.items: list[ProtectedItem] = []
        self.jobs: dict[str, ProtectJob] = {}
        self.live: dict[str, LiveProtect] = {}
        self.loaded = False

    def set_listing(self, items: list[ProtectedItem], jobs: list[ProtectJob]) -> None:
        """A fresh listing, read after the live entries that ended: the journal now tells their outcome."""
        self.items, self.jobs, self.loaded = items, {j.id: j for j in jobs}, True
        self.live = {token: live for token, live in self.live.items() if live.outcome == LiveOutcome.RUNNING}

    def rows(self) -> list[Row]:
        self._bind_live()
        by_job = {live.job_id: live for live in self.live.values() if live.job_id}
        rows = [self._live_row(live) for live in self.live.values() if not self._listed(live)]
        for item in self.items:
            job = self.jobs.get(item.job_id)
            live = by_job.get(item.job_id) if item.job_id else None
            if live is not None:
                rows.append(self._live_row(live))
                continue
            key = item.job_id or item.address.lower()
            state = _state_of_item(item, job)
            error = item.error or (job.error if job is not None else "")
            source = job.source if job is not None else ""
            rows.append(Row(key, item.name, state, item.address, item.schema, error, job, source=source))
        return rows

    def _listed(self, live: LiveProtect) -> bool:
        return bool(live.job_id) and any(item.job_id == live.job_id for item in self.items)

    def _live_row(self, live: LiveProtect) -> Row:
        job = self.jobs.get(live.job_id)
        return Row(
            live.token,
            live.name,
            live.state,
            live.address or (job.dataset if job is not None else ""),
            job.schema if job is not None else "",
            live.error,
            job,
            live.token,
            live.source,
        )

    def _bind_live(self) -> None:
        """Give each new live protect the journal entry it created (same source, created after it began)."""
        taken = {live.job_id for live in self.live.values() if live.job_id}
        for live in self.live.values():
            if live.job_id:
                continue
            for job in sorted(self.jobs.values(), key=lambda j: j.created):
                if (
                    job.id not in taken
                    and job.source == live.source
                    and job.created >= live.started_at - _MATCH_SLACK_S
                ):
                    live.job_id = job.id
                    taken.add(job.id)
                    break
