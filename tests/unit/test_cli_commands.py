"""The CLI imports only the module of the command it runs, and its help still lists every command."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.cli import main as cli

ROOT = Path(__file__).resolve().parents[2]


def commands_of(parser: argparse.ArgumentParser) -> list[str]:
    (subparsers,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return list(subparsers.choices)


def test_the_table_names_every_command_the_modules_register_in_their_order() -> None:
    assert commands_of(cli.build_parser(["--help"])) == list(cli.COMMANDS)


@pytest.mark.parametrize("command", list(cli.COMMANDS))
def test_a_command_registers_its_own_module_only(command: str) -> None:
    module = cli.COMMANDS[command]
    registered = commands_of(cli.build_parser(["--debug", command, "--help"]))
    assert command in registered
    assert set(registered) == {name for name, owner in cli.COMMANDS.items() if owner == module}


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    listed = capsys.readouterr().out
    assert all(f"    {name} " in listed for name in cli.COMMANDS)


def test_an_unknown_command_is_refused_with_the_list_of_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["protec"])
    assert "invalid choice: 'protec'" in capsys.readouterr().err


def test_protect_does_not_import_the_other_commands() -> None:
    probe = (
        "import sys\n"
        "from desktop_app.cli.main import build_parser\n"
        "build_parser(['protect', 'f']).parse_args(['protect', 'f'])\n"
        "others = ('access', 'attest', 'sandbox', 'tasks', 'wallet')\n"
        "loaded = [m for m in others if f'desktop_app.cli.{m}' in sys.modules]\n"
        "assert not loaded, loaded\n"
        "assert 'desktop_app.core.attestation.verify' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", probe], cwd=ROOT, check=True, timeout=120)


@pytest.mark.parametrize("argv", [[], ["--debug"]])
def test_no_command_registers_none_since_the_window_opens(argv: list[str]) -> None:
    assert commands_of(cli.build_parser(argv)) == []


def test_an_unknown_word_registers_every_command_so_the_error_lists_them() -> None:
    assert commands_of(cli.build_parser(["protekt"])) == list(cli.COMMANDS)
