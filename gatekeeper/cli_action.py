"""`gatekeeper action`: the click command the GitHub Action runs (registered by cli.py).

Thin: settings from GITHUB_* variables and the action's INPUT_* inputs (options override them),
one call to the Action mode, its report (rendered by report/github.py) written to the files the
runner names and printed, an exit code returned. The token is never an option — argv is visible to
every process on the runner — only INPUT_TOKEN or GITHUB_TOKEN. A run that cannot evaluate still
writes the step summary and outputs (decision `error`) and an error annotation before the typed
error goes up to cli.run for its exit code (3 config, 4 git/IO). GITHUB_OUTPUT is written in the
`name<<DELIMITER` form with a fresh random delimiter per write, so no value can end its block early.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import click

from gatekeeper.errors import GatekeeperError, UsageError
from gatekeeper.models import ExitCode
from gatekeeper.report import OutputFormat

if TYPE_CHECKING:
    from gatekeeper.modes.action import ActionResult, ActionSettings
    from gatekeeper.report.github import ActionReport

FORMAT_CHOICES = [f.value for f in OutputFormat]


@click.command("action")
@click.option("--event-name", help="Event name (default: GITHUB_EVENT_NAME).")
@click.option("--event-path", type=click.Path(path_type=Path), help="Event payload (default: GITHUB_EVENT_PATH).")
@click.option("--workspace", type=click.Path(path_type=Path),
              help="The checkout (default: GITHUB_WORKSPACE, else the current directory).")
@click.option("--policy", "policy_path",
              help="Policy path in the repository, read from the base commit (default: INPUT_POLICY or "
                   ".gatekeeper.yml).")
@click.option("--format", "fmt", type=click.Choice(FORMAT_CHOICES),
              help="Log output format (default: INPUT_FORMAT or github: annotations).")
@click.option("--sarif", "sarif_path", help="Also write SARIF 2.1.0 to this path (default: INPUT_SARIF).")
@click.option("--fail-mode", type=click.Choice(["block", "warn"]),
              help="block: exit 1 when blocked (default); warn: report but exit 0. Errors always fail.")
def action(event_name: str | None, event_path: Path | None, workspace: Path | None, policy_path: str | None,
           fmt: str | None, sarif_path: str | None, fail_mode: str | None) -> ExitCode:
    """Gate a pull request, merge group or push inside GitHub Actions."""
    from gatekeeper.modes.action import ActionSettings, exit_code_for, run_action

    settings: ActionSettings | None = None
    try:
        settings = ActionSettings.from_env(
            os.environ, event_name=event_name, event_path=str(event_path) if event_path else None,
            workspace=str(workspace) if workspace else None, policy_path=policy_path, fmt=fmt,
            sarif_path=sarif_path, fail_mode=fail_mode)
        result = run_action(settings)
        click.echo(_publish(result, settings), nl=False)
    except (Exception, KeyboardInterrupt) as exc:
        # Whatever went wrong — our typed errors, a bug, an interrupt — the workflow gets its outputs
        # (decision=error) and a summary, so a later step never reads "no decision" as a pass. The
        # original error matters more than a summary file that cannot be written, and goes up to
        # cli.run for its exit code (3 config, 4 could not evaluate, 130 interrupted).
        error = exc if isinstance(exc, GatekeeperError) else GatekeeperError(
            f"internal error: {type(exc).__name__}: {exc}" if not isinstance(exc, KeyboardInterrupt)
            else "interrupted", "re-run the job; with --verbose, report the traceback if it persists")
        with contextlib.suppress(Exception):
            click.echo(_publish_error(error, settings, os.environ), nl=False)
        raise
    return ExitCode(exit_code_for(result.verdict, settings.fail_mode))


# -- the runner's files --------------------------------------------------------------------------------

def _append(path: Path | None, text: str) -> None:
    if path is None:
        return
    try:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise GatekeeperError(f"cannot write {path}: {exc.strerror}", "check the runner's GITHUB_* files") from None


def _write_outputs(path: Path | None, report: ActionReport) -> None:
    from gatekeeper.report.github import render_outputs

    if path is not None:
        _append(path, render_outputs(dict(report.outputs), f"ghadelimiter_{secrets.token_hex(16)}"))


def _publish(result: ActionResult, settings: ActionSettings) -> str:
    """Write the SARIF file, step summary and outputs; return what to print to the log."""
    from gatekeeper.report import render
    from gatekeeper.report.github import action_report, skipped_report
    from gatekeeper.report.sarif import render_sarif

    if result.verdict is None:
        report = skipped_report(result.skipped or "nothing to check")
        _append(settings.step_summary, report.summary)
        _write_outputs(settings.output_file, report)
        return report.log
    verdict = result.verdict
    if settings.sarif_path:
        from gatekeeper.fsutil import atomic_write, confined

        target = Path(settings.sarif_path)
        try:
            if not target.is_absolute() or target.is_relative_to(os.path.realpath(settings.workspace)) \
                    or target.is_relative_to(settings.workspace):
                # Inside the checkout, whose content is the pull request's: no symbolic link on the way (red46).
                target = confined(settings.workspace, target)
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(target, render_sarif(verdict), mode=0o644)  # replaces what is there, never follows it
        except ValueError as exc:
            raise UsageError(f"refusing to write the SARIF file {settings.sarif_path}: {exc}",
                             "the pull request must not put a symbolic link where the `sarif` path goes") from None
        except OSError as exc:
            raise UsageError(f"cannot write the SARIF file {settings.sarif_path}: {exc.strerror}",
                             "choose a writable `sarif` path inside the workspace") from None
    attested = (("attestation", result.attestation), ("slsa-level", str(result.level))) if result.attestation else ()
    other = None if settings.fmt is OutputFormat.GITHUB else render(verdict, settings.fmt)
    report = action_report(verdict, report=other, sarif_path=settings.sarif_path, extra_outputs=attested)
    _append(settings.step_summary, report.summary)
    _write_outputs(settings.output_file, report)
    return report.log


def _publish_error(exc: GatekeeperError, settings: ActionSettings | None, env: Mapping[str, str]) -> str:
    """Record a run that could not evaluate: summary, outputs, and an error annotation to print.

    Without settings (the environment itself was unusable) the runner's files come straight from
    GITHUB_STEP_SUMMARY / GITHUB_OUTPUT in `env`: the outputs are written whatever failed.
    """
    from gatekeeper.report.github import error_report

    report = error_report(exc.message, exc.fix)
    summary, output = (settings.step_summary, settings.output_file) if settings is not None else (None, None)
    if settings is None:
        summary = Path(env["GITHUB_STEP_SUMMARY"]) if env.get("GITHUB_STEP_SUMMARY", "").strip() else None
        output = Path(env["GITHUB_OUTPUT"]) if env.get("GITHUB_OUTPUT", "").strip() else None
    with contextlib.suppress(GatekeeperError):  # the outputs matter more than the summary
        _append(summary, report.summary)
    _write_outputs(output, report)
    return report.log
