"""`gatekeeper action`: the click command the GitHub Action runs (registered by cli.py).

Thin: settings from GITHUB_* variables and the action's INPUT_* inputs (options override them),
one call to the Action mode, its report printed, an exit code returned. The token is never an
option — argv is visible to every process on the runner — only INPUT_TOKEN or GITHUB_TOKEN.
A run that cannot evaluate still writes the step summary and outputs (decision `error`) and an
error annotation before the typed error goes up to cli.run for its exit code (3 config, 4 git/IO).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import click

from gatekeeper.errors import GatekeeperError
from gatekeeper.models import ExitCode
from gatekeeper.report import OutputFormat

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
    from gatekeeper.modes.action import ActionSettings, exit_code_for, publish, publish_error, run_action

    settings: ActionSettings | None = None
    try:
        settings = ActionSettings.from_env(
            os.environ, event_name=event_name, event_path=str(event_path) if event_path else None,
            workspace=str(workspace) if workspace else None, policy_path=policy_path, fmt=fmt,
            sarif_path=sarif_path, fail_mode=fail_mode)
        result = run_action(settings)
        click.echo(publish(result, settings), nl=False)
    except (Exception, KeyboardInterrupt) as exc:
        # Whatever went wrong — our typed errors, a bug, an interrupt — the workflow gets its outputs
        # (decision=error) and a summary, so a later step never reads "no decision" as a pass. The
        # original error matters more than a summary file that cannot be written, and goes up to
        # cli.run for its exit code (3 config, 4 could not evaluate, 130 interrupted).
        error = exc if isinstance(exc, GatekeeperError) else GatekeeperError(
            f"internal error: {type(exc).__name__}: {exc}" if not isinstance(exc, KeyboardInterrupt)
            else "interrupted", "re-run the job; with --verbose, report the traceback if it persists")
        with contextlib.suppress(Exception):
            click.echo(publish_error(error, settings, os.environ), nl=False)
        raise
    return ExitCode(exit_code_for(result.verdict, settings.fail_mode))
