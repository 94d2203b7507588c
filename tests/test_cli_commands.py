"""The command table of `gatekeeper`: commands living in their own modules load when named (start-up
stays small), yet `--help` lists every one of them exactly as click would, and each one runs."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.utils import make_default_short_help

from gatekeeper.cli import LAZY_COMMANDS, cli, run
from tests.repo_builder import RepoBuilder

# The names `gatekeeper --help` lists: the contract (every one of them must stay).
COMMANDS = ("action", "attest", "audit", "baseline", "check", "demo", "device", "install", "log", "policy",
            "post-receive", "pre-push", "pre-receive", "rules", "tag", "uninstall")


def _listed(help_text: str) -> list[str]:
    section = help_text.split("\nCommands:\n", 1)[1]
    return [line.split()[0] for line in section.splitlines() if line.startswith("  ") and line.split()]


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--help"]) == 0
    assert _listed(capsys.readouterr().out) == list(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_listed_command_loads_and_runs_help(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    command = cli.get_command(None, name)  # type: ignore[arg-type]  # the context is not used
    assert command is not None and command.name == name and not command.hidden
    assert run([name, "--help"]) == 0
    assert f"Usage: gatekeeper {name}" in capsys.readouterr().out


@pytest.mark.parametrize("name", sorted(LAZY_COMMANDS))
def test_the_table_short_help_is_the_command_s_own(name: str) -> None:
    loader, text = LAZY_COMMANDS[name]
    command = loader()
    assert command.name == name
    for limit in (20, 45, 63, 100, 300):
        assert make_default_short_help(text, limit).strip() == command.get_short_help_str(limit), limit


_LISTINGS = """
import json
from click.testing import CliRunner
from gatekeeper.cli import LAZY_COMMANDS, cli
runner = CliRunner()
widths = (50, 80, 120)
lazy = [runner.invoke(cli, ["--help"], terminal_width=w).output for w in widths]
loaded_before = sorted(n for n in LAZY_COMMANDS if n in cli.commands)
for name in LAZY_COMMANDS:
    cli.get_command(None, name)
loaded = [runner.invoke(cli, ["--help"], terminal_width=w).output for w in widths]
print(json.dumps([lazy, loaded, loaded_before]))
"""


def test_help_before_loading_is_what_click_prints_with_every_command_loaded() -> None:
    out = subprocess.run([sys.executable, "-c", _LISTINGS], capture_output=True, text=True, check=True).stdout
    lazy, loaded, loaded_before = json.loads(out)
    assert loaded_before == []  # --help imported none of them
    assert lazy == loaded


def test_an_unknown_command_is_still_matched_against_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["audti"]) == 2
    assert "Did you mean 'audit'?" in capsys.readouterr().err


# What `gatekeeper audit` must not load on a repository without attestations: the other front doors,
# the scanners, the attestation and signature stacks (crypto), the engine's modes.
_AUDIT_MODULES = """
import io, sys
from gatekeeper.cli import run
sys.stdout = io.StringIO()
code = run(["audit", "--format", "json", "--no-progress"])
sys.stdout = sys.__stdout__
print(code)
print("\\n".join(sorted(sys.modules)))
"""
_NOT_FOR_AUDIT = ("gatekeeper.cli_action", "gatekeeper.cli_attest", "gatekeeper.cli_device", "gatekeeper.cli_log",
                  "gatekeeper.cli_scan", "gatekeeper.attest.envelope", "gatekeeper.attest.store",
                  "gatekeeper.provenance.signatures", "gatekeeper.provenance.openpgp", "gatekeeper.scan.secrets",
                  "gatekeeper.scan.semgrep", "gatekeeper.scan.bandit", "gatekeeper.modes", "gatekeeper.report.text",
                  "sshsig", "cryptography", "securesystemslib", "rich")


def test_the_audit_loads_only_what_it_uses(repo: RepoBuilder) -> None:
    repo.commit("first", {"a.txt": "a\n"})
    out = subprocess.run([sys.executable, "-c", _AUDIT_MODULES], cwd=repo.path, capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out[0] == "0"
    loaded = set(out[1:])
    assert "gatekeeper.audit.history" in loaded and "gatekeeper.cli_audit" in loaded
    assert not {m for m in loaded if m in _NOT_FOR_AUDIT or m.startswith(tuple(p + "." for p in _NOT_FOR_AUDIT))}
