"""The task proof as one self-contained HTML page: something an owner can keep, print or send.

No scripts, no external fonts or images, so the page renders the same offline in any browser years
later. Every value is HTML-escaped: details quote data from the network.
"""

from __future__ import annotations

from html import escape

from desktop_app.core.attestation.report import Check
from desktop_app.core.attestation.task_proof import TaskProofReport

_STYLE = """
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
h1{font-size:1.4rem} .verdict{padding:.8rem 1rem;border-radius:.5rem;font-weight:600}
.ok{background:#e6f4ea;color:#0d652d} .bad{background:#fce8e6;color:#a50e0e}
.sim{background:#fff4e5;color:#8a4b00;padding:.6rem 1rem;border-radius:.5rem;margin:1rem 0}
table{border-collapse:collapse;width:100%;margin:1rem 0} td,th{border-bottom:1px solid #ddd;padding:.4rem;
text-align:left;vertical-align:top} td.mark{width:2rem;font-weight:700} code{word-break:break-all}
@media (prefers-color-scheme:dark){body{background:#1d1d1f;color:#eee}td,th{border-color:#444}}
"""


def _rows(checks: tuple[Check, ...]) -> str:
    return "".join(
        f'<tr><td class="mark">{"✓" if c.ok else "✗"}</td>'
        f"<td>{escape(c.name)}</td><td>{escape(c.detail)}</td></tr>"
        for c in checks
    )


def render(report: TaskProofReport) -> str:
    verdict = (
        '<p class="verdict ok">Every check passed: this result comes from the code you allowed.</p>'
        if report.valid
        else '<p class="verdict bad">Verification FAILED: see the checks marked ✗ below.</p>'
    )
    simulated = (
        '<p class="sim">This task ran in the local sandbox\'s <strong>simulated</strong> enclave. The proof '
        "shows the protocol works end to end; it is not evidence from real TEE hardware.</p>"
        if report.simulated
        else ""
    )
    quote = ""
    if report.quote is not None:
        q = report.quote
        measurements = "".join(
            f"<tr><td>{escape(k)}</td><td><code>{escape(str(v))}</code></td></tr>"
            for k, v in q.measurements.to_json().items()
        )
        quote = (
            f"<h2>Enclave quote ({escape(q.tee.value.upper())}, TCB status "
            f"{escape(q.status.value if q.status else 'unknown')})</h2>"
            f"<table>{_rows(q.checks)}</table>"
            f"<h3>Measurements</h3><table>{measurements}"
            f"<tr><td>reportData</td><td><code>{q.report_data.hex()}</code></td></tr></table>"
            f"<p>Root of trust: {escape(q.root_label)} (SHA-256 <code>{q.root_sha256.hex()}</code>)</p>"
        )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Proof of task {escape(report.task_id)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>Proof of task <code>{escape(report.task_id)}</code></h1>{verdict}{simulated}"
        f"<table><tr><th></th><th>Check</th><th>Why</th></tr>{_rows(report.checks)}</table>{quote}"
        "<p><small>Checked locally by DataProtector Desktop, without trusting the worker that ran the task."
        "</small></p></body></html>"
    )
