"""The checklist's arithmetic and wording, without a window."""

from __future__ import annotations

from desktop_app.flows.progress import BytesProgress, StepDone, StepStarted
from desktop_app.ui.crash import crash_report, fingerprint, redact
from desktop_app.ui.format import short_address, size, timestamp
from desktop_app.ui.progress import (
    ProgressTracker,
    StepStatus,
    describe_bytes,
    format_bytes,
    format_duration,
    step_label,
)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_byte_step_gets_a_rate_and_an_eta_once_it_has_run_a_moment() -> None:
    clock = Clock()
    tracker = ProgressTracker(["ENCRYPT_FILE", "UPLOAD_ENCRYPTED_FILE"], clock)
    tracker.apply(StepStarted("ENCRYPT_FILE"))
    tracker.apply(BytesProgress("ENCRYPT_FILE", 0, 100 << 20))
    step = tracker.step("ENCRYPT_FILE")
    assert step.rate is None and step.eta is None  # one sample: no speed yet
    clock.now += 2
    tracker.apply(BytesProgress("ENCRYPT_FILE", 40 << 20, 100 << 20))
    assert step.rate == 20 << 20
    assert step.eta == 3.0
    assert describe_bytes(step) == "40.0 MiB of 100.0 MiB · 20.0 MiB/s · 3 s left"
    tracker.apply(StepDone("ENCRYPT_FILE", "0xabc"))
    assert step.status == StepStatus.DONE and step.fraction == 1.0 and step.eta is None
    assert tracker.current is None and tracker.finished_steps == 1


def test_a_step_the_flow_did_not_announce_is_appended_with_a_readable_name() -> None:
    tracker = ProgressTracker(["A_STEP"])
    tracker.apply(StepStarted("SOMETHING_NEW_FROM_THE_SDK"))
    assert [s.name for s in tracker.steps] == ["A_STEP", "SOMETHING_NEW_FROM_THE_SDK"]
    assert tracker.current is not None and tracker.current.label == "Something new from the sdk"
    assert step_label("UPLOAD_ENCRYPTED_FILE") == "Upload the encrypted file"


def test_sizes_durations_and_addresses_read_well() -> None:
    assert format_bytes(512) == "512 B"
    assert format_bytes(3 << 30) == "3.0 GiB"
    assert format_duration(0.2) == "1 s"
    assert format_duration(125) == "2 min 05 s"
    assert format_duration(4200) == "1 h 10 min"
    assert short_address("0x1234567890abcdef1234567890abcdef12345678") == "0x1234…5678"
    assert size(0) == "—" and timestamp(0) == "—"


def test_a_crash_report_carries_no_key_phrase_or_pem() -> None:
    key = "0x" + "ab" * 32
    phrase = " ".join(["abandon"] * 11 + ["about"])
    pem = "-----BEGIN PRIVATE KEY-----\nMIIEv\n-----END PRIVATE KEY-----"
    try:
        raise ValueError(f"bad input {key} / {phrase} / {pem}")
    except ValueError as error:
        report = crash_report(error, network="local", qt_version="6.12.0")
        same = fingerprint(error)
    assert "ab" * 32 not in report and "abandon" not in report and "MIIEv" not in report
    assert "ValueError: bad input" in report and "Network: local" in report and "Qt 6.12.0" in report
    assert redact("tx 0x" + "cd" * 32) == "tx <redacted 32 bytes>"
    assert len(same) == 16
