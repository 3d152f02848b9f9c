"""The app stage: run the iApp on the decrypted input, with the environment an iExec enclave gives it.

The app is one of the sandbox's iApps, found by the checksum registered on chain (so the code that runs
is the code whose measurement the quote reports). It runs as a child process with only the iExec
variables of spec §7, a time limit, and its output folder.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from desktop_app.frozen import script_argv
from desktop_app.sandbox.iapps import SampleApp, sample_apps
from desktop_app.sandbox.sms.store import SecretKind
from desktop_app.sandbox.worker.context import TaskContext, TaskFailure

DEFAULT_TIME_LIMIT_S = 300.0
TIME_LIMIT_ENV = "DATAPROTECTOR_SANDBOX_APP_TIME_LIMIT"


def find_app(ctx: TaskContext) -> SampleApp:
    checksum = bytes(ctx.hub.functions.viewApp(ctx.deal.app.pointer).call()[4])
    for app in sample_apps():
        if app.checksum() == checksum:
            return app
    raise TaskFailure(
        f"app {ctx.deal.app.pointer} is not one of this sandbox's iApps (checksum 0x{checksum.hex()})"
    )


def _params(ctx: TaskContext) -> dict[str, object]:
    try:
        params = json.loads(ctx.deal.params or "{}")
    except json.JSONDecodeError as e:
        raise TaskFailure(f"the run's params are not JSON: {e}") from e
    if not isinstance(params, dict):
        raise TaskFailure("the run's params are not a JSON object")
    return params


def app_environment(ctx: TaskContext, in_dir: Path, out_dir: Path, dataset: str | None) -> dict[str, str]:
    params = _params(ctx)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "IEXEC_IN": str(in_dir),
        "IEXEC_OUT": str(out_dir),
        "IEXEC_TASK_ID": ctx.record.task_id,
        "IEXEC_DEAL_ID": ctx.record.deal_id,
        "IEXEC_TASK_INDEX": str(ctx.record.idx),
        "IEXEC_BOT_FIRST_INDEX": str(ctx.deal.bot_first),
        "IEXEC_BOT_SIZE": str(ctx.deal.bot_size),
        "IEXEC_BOT_TASK_INDEX": str(ctx.record.idx),
        "IEXEC_INPUT_FILES_NUMBER": "0",
        "IEXEC_ARGS": str(params.get("iexec_args", "")),
    }
    if dataset is not None:
        env["IEXEC_DATASET_ADDRESS"] = dataset
        env["IEXEC_DATASET_FILENAME"] = dataset
    secrets = params.get("iexec_secrets") or {}
    if not isinstance(secrets, dict):
        raise TaskFailure("iexec_secrets must map numbers to secret names")
    for index, name in secrets.items():
        value = ctx.secrets.get(SecretKind.REQUESTER, ctx.deal.requester.lower(), str(name))
        if value is None:
            raise TaskFailure(f"the requester secret {name!r} is not in the SMS")
        env[f"IEXEC_REQUESTER_SECRET_{index}"] = value.decode("utf-8")
    return env


def run_app(ctx: TaskContext, app: SampleApp, env: dict[str, str]) -> None:
    limit = float(os.environ.get(TIME_LIMIT_ENV, DEFAULT_TIME_LIMIT_S))
    log_path = ctx.workdir / "app.log"
    try:
        with log_path.open("wb") as log:
            done = subprocess.run(
                script_argv(app.folder / app.entrypoint),
                cwd=ctx.workdir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=limit,
                check=False,
            )
    except subprocess.TimeoutExpired as e:
        raise TaskFailure(f"the app ran past its time limit of {limit:.0f} s and was stopped") from e
    if done.returncode != 0:
        lines = log_path.read_text(errors="replace").strip().splitlines()
        last = lines[-1] if lines else "no output"
        raise TaskFailure(f"the app crashed (exit code {done.returncode}): {last}")
