"""The thin click layer: parse options, call one mode function, return an ExitCode.

click's own errors never exit 1 (1 means "blocked"): usage problems exit 2, Ctrl-C exits 130,
our typed errors exit with their own code and print the fix; `--verbose` adds the traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click
from click.utils import make_default_short_help

import gatekeeper
from gatekeeper.console import exit_process, invoke, silence_stdout
from gatekeeper.errors import UsageError
from gatekeeper.fsutil import atomic_write, replaced_text
from gatekeeper.models import ExitCode, Verdict
from gatekeeper.report import AVAILABLE, OutputFormat, render

if TYPE_CHECKING:
    from gatekeeper.config import Policy

FORMATS = [f.value for f in AVAILABLE]


def _use_color(stream: object) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def emit(verdict: Verdict, fmt: str, output: Path | None) -> ExitCode:
    fmt_enum = OutputFormat(fmt)
    if output is not None:
        text = render(verdict, fmt_enum, color=False)
        try:
            with replaced_text(output) as handle:
                handle.write(text)
        except OSError as exc:
            raise UsageError(f"cannot write {output}: {exc.strerror}", "choose a writable --output path") from None
        click.echo(f"gatekeeper: {verdict.decision.value} — {fmt} written to {output}", err=True)
    else:
        try:
            click.echo(render(verdict, fmt_enum, color=_use_color(sys.stdout)), nl=False)
        except BrokenPipeError:
            silence_stdout()  # `gatekeeper check | head`: the verdict still decides the exit code
    return verdict.exit_code


# -- the front doors that live in their own modules, imported when named ------------------------------
# `gatekeeper audit` need not load the Action's, the scanners' or the device registry's modules, so each
# is imported by a small function (a plain import statement: tests/test_architecture.py still sees the
# edge and any cycle through it). `--help` lists them from their short help below, without importing
# them; tests/test_cli_commands.py holds each line to the command's own docstring.
def _action() -> click.Command:
    from gatekeeper.cli_action import action

    return action


def _attest() -> click.Command:
    from gatekeeper.cli_attest import attest

    return attest


def _audit() -> click.Command:
    from gatekeeper.cli_audit import audit

    return audit


def _baseline() -> click.Command:
    from gatekeeper.cli_scan import baseline

    return baseline


def _device() -> click.Command:
    from gatekeeper.cli_device import device

    return device


def _log() -> click.Command:
    from gatekeeper.cli_log import log_group

    return log_group


def _rules() -> click.Command:
    from gatekeeper.cli_scan import rules

    return rules


LAZY_COMMANDS: dict[str, tuple[Callable[[], click.Command], str]] = {
    "action": (_action, "Gate a pull request, merge group or push inside GitHub Actions."),
    "attest": (_attest, "Sign a SLSA Source provenance + VSA for a revision (`attest REV`), or verify one "
                        "(`attest verify REV`)."),
    "audit": (_audit, "Report where a history's code came from, what was signed and reviewed, and what the gate "
                      "decided."),
    "baseline": (_baseline, "Accept the current findings: write their fingerprints so later runs suppress them "
                            "(reason \"baseline\")."),
    "device": (_device, "Enroll, revoke and list the devices whose keys may sign commits (the device registry)."),
    "log": (_log, "Verify, show or export the hash-chained decision log."),
    "rules": (_rules, "List or test gatekeeper's scanning rules."),
}


class _LazyGroup(click.Group):
    """A group whose LAZY_COMMANDS are imported on first use; listed, resolved and helped like the rest."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in LAZY_COMMANDS:
            self.add_command(LAZY_COMMANDS[cmd_name][0](), cmd_name)
        return self.commands.get(cmd_name)

    def resolve_command(self, ctx: click.Context,
                        args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands and args[0] not in LAZY_COMMANDS:
            # An unknown name: load them all, so click's "Did you mean ...?" still weighs every command.
            for name in LAZY_COMMANDS:
                self.get_command(ctx, name)
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's own listing, with the short help of a command not loaded yet taken from LAZY_COMMANDS."""
        listed = [(name, self.commands.get(name)) for name in self.list_commands(ctx)]
        listed = [(name, command) for name, command in listed if command is None or not command.hidden]
        if not listed:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in listed)
        rows = [(name, command.get_short_help_str(limit) if command is not None
                 else make_default_short_help(LAZY_COMMANDS[name][1], limit).strip()) for name, command in listed]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(gatekeeper.__version__, "--version", prog_name="gatekeeper")
@click.option("--verbose", "-v", is_flag=True, help="Show tracebacks for errors.")
def cli(verbose: bool) -> None:
    """gatekeeper: make mobile-, web- and AI-originated commits pass scanning, provenance and review."""


@cli.command()
@click.option("--repo", type=click.Path(path_type=Path), default=Path("."), show_default=True,
              help="Repository to check.")
@click.option("--base", help="Oldest excluded revision (default: upstream, else the default branch).")
@click.option("--head", help="Newest revision to check (default: HEAD).")
@click.option("--policy", "policy_file", type=click.Path(path_type=Path),
              help="Policy file (default: .gatekeeper.yml in the work tree, else the built-in default).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--output", type=click.Path(path_type=Path), metavar="FILE",
              help="Write the report to FILE instead of stdout.")
def check(repo: Path, base: str | None, head: str | None, policy_file: Path | None, fmt: str,
          output: Path | None) -> ExitCode:
    """Judge the commits of a range in a working clone."""
    from gatekeeper.modes.local import run_check

    verdict = run_check(repo, base, head, policy_file)
    return emit(verdict, fmt, output)


@cli.group()
def policy() -> None:
    """Write or validate a policy file."""


@policy.command("init")
@click.option("--path", type=click.Path(path_type=Path), default=Path(".gatekeeper.yml"), show_default=True)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def policy_init(path: Path, force: bool) -> ExitCode:
    """Write the built-in default policy, commented, to .gatekeeper.yml."""
    from gatekeeper.config import DEFAULT_POLICY_YAML

    if path.is_dir():
        raise UsageError(f"{path} is a directory", f"name the file to write, e.g. --path {path / '.gatekeeper.yml'}")
    if path.exists() and not force:
        raise UsageError(f"{path} already exists", "pass --force to overwrite it")
    if not path.parent.is_dir():
        raise UsageError(f"{path.parent} does not exist", "create the directory first, or choose another --path")
    try:
        # Replaced in one step, as a regular file: a link there is replaced, not written through.
        atomic_write(path, DEFAULT_POLICY_YAML, mode=0o644)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}", "choose a writable --path") from None
    click.echo(f"wrote {path}")
    return ExitCode.OK


@policy.command("check")
@click.argument("file", type=click.Path(path_type=Path))
def policy_check(file: Path) -> ExitCode:
    """Validate a policy file (exit 3 with the key path when it is invalid)."""
    from gatekeeper.config import load_policy_file

    pol = load_policy_file(file)
    # The files the policy names are part of it: a registry that does not parse fails every check later.
    checked = []
    if pol.devices is not None:
        from gatekeeper.provenance.devices import load_registry

        checked.append(f"{len(load_registry(pol.devices).devices)} device(s) in {pol.devices}")
    if pol.allowed_signers is not None:
        from gatekeeper.provenance.allowed_signers import load_allowed_signers

        checked.append(f"{len(load_allowed_signers(pol.allowed_signers).signers)} signer(s) in {pol.allowed_signers}")
    secrets_rules: list[str] = []
    if pol.secrets.config is not None:
        from gatekeeper.provenance.source import filesystem_reader
        from gatekeeper.scan.gitleaks import load_detector
        from gatekeeper.scan.secrets import NAMESPACE, SecretDetector

        detector = load_detector(pol.secrets.config, filesystem_reader, extend_default=pol.secrets.extend_default,
                                 default=SecretDetector.load)
        secrets_rules = [f"{NAMESPACE}/{r.id}" for r in detector.rules]
        checked.append(f"{len(detector.rules)} secrets rule(s) from {pol.secrets.config}")
    if pol.baseline is not None:
        from gatekeeper.scan.baseline import load_baseline

        checked.append(f"{len(load_baseline(pol.baseline))} baseline fingerprint(s) in {pol.baseline}")
    click.echo(f"{file}: valid (version {pol.version}, {len(pol.rules)} rule sets, {len(pol.zones)} zones, "
               f"{len(pol.ignore)} ignores)")
    for line in checked:
        click.echo(f"  {line}: valid")
    for index, rule in _unmatched_ignores(pol, secrets_rules):
        click.echo(f"  warning: ignore[{index}] names {rule!r}, which is no rule gatekeeper has: it hides nothing "
                   "(`gatekeeper rules list` names them all)")
    return ExitCode.OK


def _unmatched_ignores(pol: Policy, secrets_rules: list[str]) -> list[tuple[int, str]]:
    """The policy's ignore entries whose rule id (a glob) names no rule a finding can carry — the shipped rules and
    `secrets_rules` (those of the policy's `secrets.config`): a typo such as `semgrep/python-eval` suppresses
    nothing, silently."""
    import fnmatch

    from gatekeeper.cli_scan import list_rules

    known = [r.id for r in list_rules()] + secrets_rules
    return [(index, entry.rule) for index, entry in enumerate(pol.ignore)
            if not any(fnmatch.fnmatchcase(k, entry.rule) or ("*" in k and fnmatch.fnmatchcase(entry.rule, k))
                       for k in known)]


def _register() -> None:
    """The hook side's commands, from the module installed hooks run (kept lean by its own test)."""
    from gatekeeper.cli_hook import COMMANDS as HOOK_COMMANDS

    for command in HOOK_COMMANDS:
        cli.add_command(command)


_register()


def main(argv: list[str] | None = None) -> None:
    exit_process(run(argv))


def run(argv: list[str] | None = None) -> int:
    return invoke(cli, list(sys.argv[1:] if argv is None else argv), "gatekeeper")
