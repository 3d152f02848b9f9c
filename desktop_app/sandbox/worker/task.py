"""Run one task end to end and record how it ended in the journal, with a reason a person can read."""

from __future__ import annotations

import argparse
import logging
import os
import shutil
from pathlib import Path

from desktop_app.sandbox import faults
from desktop_app.sandbox.pool.journal import TaskState
from desktop_app.sandbox.worker import attest, compute, contribute, postcompute, precompute
from desktop_app.sandbox.worker.context import TaskContext, TaskFailure

log = logging.getLogger("desktop_app.sandbox.worker")


def run(ctx: TaskContext) -> str:
    """Returns the result's location; raises TaskFailure with the reason when the task cannot complete."""
    if contribute.already_contributed(ctx):
        return ctx.record.result_location
    contribute.check_still_open(ctx)
    shutil.rmtree(ctx.workdir, ignore_errors=True)  # a resumed task starts its stages afresh
    in_dir, out_dir = ctx.workdir / "iexec_in", ctx.workdir / "iexec_out"
    in_dir.mkdir(parents=True)
    out_dir.mkdir()
    try:
        ctx.stage("pre-compute")
        dataset = precompute.prepare_input(ctx, in_dir)
        if faults.WORKER_KILL_MID_TASK in faults.active() and ctx.record.attempts == 1:
            log.warning("fault switch: worker killed after pre-compute of %s", ctx.record.task_id)
            os._exit(137)
        ctx.stage("app")
        app = compute.find_app(ctx)
        compute.run_app(ctx, app, compute.app_environment(ctx, in_dir, out_dir, dataset))
    finally:
        shutil.rmtree(in_dir, ignore_errors=True)  # the owner's plain data never outlives the app stage
    ctx.stage("post-compute")
    output = postcompute.read_output(ctx, out_dir)
    evidence = attest.attestation_files(ctx, app, output.digest)
    location = postcompute.upload(ctx, postcompute.package(ctx, output, evidence))
    ctx.stage("contribute")
    contribute.check_still_open(ctx)
    contribute.contribute(ctx, output.digest, location)
    return location


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m desktop_app.sandbox.worker")
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--task", required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s worker: %(message)s")
    ctx = TaskContext.load(args.data_dir, args.task)
    try:
        location = run(ctx)
    except TaskFailure as e:
        log.info("task %s failed: %s", args.task, e)
        ctx.journal.update(args.task, state=TaskState.FAILED, reason=str(e))
        return 1
    except Exception as e:
        log.exception("task %s: internal worker error", args.task)
        ctx.journal.update(
            args.task, state=TaskState.FAILED, reason=f"internal error in the sandbox worker: {e}"
        )
        return 1
    finally:
        shutil.rmtree(ctx.workdir, ignore_errors=True)
    ctx.journal.update(args.task, state=TaskState.CONTRIBUTED, result_location=location, reason="")
    log.info("task %s completed: %s", args.task, location)
    return 0
