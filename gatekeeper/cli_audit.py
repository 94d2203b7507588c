"""`gatekeeper audit`: the history report (registered by cli.py). Thin: options in, one mode call."""

from __future__ import annotations

from pathlib import Path

import click

from gatekeeper.models import ExitCode


@click.command("audit")
@click.option("--repo", type=click.Path(path_type=Path), default=Path("."), show_default=True,
              help="Repository to audit (a clone or a bare repository).")
@click.option("--rev-range", "rev_range", help="A..B (the commits of B not in A) or one revision.")
@click.option("--since", help="Only commits since this date (2026-01-31, '6 months ago').")
@click.option("--all", "every_ref", is_flag=True, help="All branches, tags and remote-tracking branches.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True)
@click.option("--output", type=click.Path(path_type=Path), metavar="FILE",
              help="Write the report to FILE instead of stdout.")
@click.option("--policy", "policy_file", type=click.Path(path_type=Path),
              help="Policy file (default: .gatekeeper.yml in the work tree, or at HEAD in a bare repository).")
@click.option("--log", "log", help="Decision log to join (default: $GATEKEEPER_DECISION_LOG, else the policy's "
              "log.path).")
@click.option("--log-repository", "log_repositories", multiple=True, metavar="NAME",
              help="The name the gate logs this repository under (repeatable), when it is not one the audit "
              "derives: the forge's (github:OWNER/REPO, from the origin remote) or the repository's path.")
@click.option("--list-cap", type=click.IntRange(min=1, max=100_000), default=200, show_default=True,
              help="Longest list of commits the report keeps (each list says when it was cut).")
@click.option("--attest-key", "attest_keys", multiple=True, type=click.Path(path_type=Path),
              help="Public key trusted for attestation notes (repeatable): each revision's note is verified.")
@click.option("--progress/--no-progress", default=True, help="Progress bar on a terminal (never when piped or in CI).")
def audit(repo: Path, rev_range: str | None, since: str | None, every_ref: bool, fmt: str, output: Path | None,
          policy_file: Path | None, log: str | None, log_repositories: tuple[str, ...], list_cap: int,
          attest_keys: tuple[Path, ...], progress: bool) -> ExitCode:
    """Report where a history's code came from, what was signed and reviewed, and what the gate decided.

    Never blocks: exit 0, or 4 when the repository cannot be read."""
    from gatekeeper.audit.mode import run_audit_command

    return run_audit_command(repo, rev_range=rev_range, since=since, every_ref=every_ref, fmt=fmt, output=output,
                             policy_file=policy_file, log=log, list_cap=list_cap, progress=progress,
                             attest_keys=attest_keys, log_repositories=log_repositories)
