"""Median time of one full DCAP quote verification, ours next to dcap-qvl (Rust) on the same inputs.

Run from the project root: ``.venv/bin/python tests/bench/bench_attestation.py [--rounds 300]``.

Two figures per quote: "verify" starts from the raw quote and already-loaded collateral (what the app does
when it verifies many results against cached collateral); "load+verify" also parses the collateral JSON.
Both libraries get the same bytes and the same instant. The target is ours within 3x of dcap-qvl.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import dcap_qvl

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from desktop_app.core.attestation.collateral import load_qvl_json
from desktop_app.core.attestation.verify import verify_quote
from tests.support.attestation import (
    AN_HOUR_LATER,
    last_valid_instant,
    real_collateral,
    real_collateral_text,
    real_quote,
    sandbox_cases,
    sandbox_collateral_text,
    sandbox_pki,
    sandbox_root,
)


def median_ms(action: Callable[[], object], rounds: int) -> float:
    for _ in range(min(20, rounds)):
        action()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=300)
    rounds = parser.parse_args().rounds

    cases: list[
        tuple[str, Callable[[], object], Callable[[], object], Callable[[], object], Callable[[], object]]
    ]
    cases = []
    for name in ("sgx_quote", "tdx_quote", "tdx_quote_td15ex"):
        quote, text = real_quote(name), real_collateral_text(name)
        now = last_valid_instant(real_collateral(name))
        ours, theirs = load_qvl_json(text), dcap_qvl.QuoteCollateralV3.from_json(text)
        seconds = int(now.timestamp())
        cases.append((
            f"{name} (Intel root)",
            lambda q=quote, c=ours, n=now: verify_quote(q, c, now=n),
            lambda q=quote, c=theirs, s=seconds: dcap_qvl.verify(q, c, s),
            lambda q=quote, t=text, n=now: verify_quote(q, load_qvl_json(t), now=n),
            lambda q=quote, t=text, s=seconds: dcap_qvl.verify(q, dcap_qvl.QuoteCollateralV3.from_json(t), s),
        ))  # fmt: skip
    case = sandbox_cases()[0]
    text = sandbox_collateral_text("tdx")
    root, root_der, seconds = sandbox_root(), sandbox_pki().root_der, int(AN_HOUR_LATER.timestamp())
    ours, theirs = load_qvl_json(text), dcap_qvl.QuoteCollateralV3.from_json(text)
    cases.append((
        "sandbox TDX v4 (sandbox root)",
        lambda: verify_quote(case.quote, ours, now=AN_HOUR_LATER, root=root),
        lambda: dcap_qvl.verify_with_root_ca(case.quote, theirs, root_der, seconds),
        lambda: verify_quote(case.quote, load_qvl_json(text), now=AN_HOUR_LATER, root=root),
        lambda: dcap_qvl.verify_with_root_ca(
            case.quote, dcap_qvl.QuoteCollateralV3.from_json(text), root_der, seconds
        ),
    ))  # fmt: skip

    print(f"median of {rounds} runs, milliseconds")
    print(f"{'quote':32} {'ours':>8} {'dcap-qvl':>9} {'ratio':>6}   {'ours+load':>9} {'qvl+load':>9} ratio")
    ratios = []
    for label, ours_verify, qvl_verify, ours_full, qvl_full in cases:
        a, b = median_ms(ours_verify, rounds), median_ms(qvl_verify, rounds)
        c, d = median_ms(ours_full, rounds), median_ms(qvl_full, rounds)
        ratios.append(a / b)
        print(f"{label:32} {a:8.3f} {b:9.3f} {a / b:6.2f}   {c:9.3f} {d:9.3f} {c / d:6.2f}")
    print(f"worst ratio (verify): {max(ratios):.2f}x (target: within 3x)")


if __name__ == "__main__":
    main()
