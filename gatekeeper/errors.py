"""Typed errors that carry their exit code and the fix to show the user.

Every error a user can cause ends up as one of these; the CLI prints `error: <message>` and
`fix: <fix>` and exits with `exit_code`. Tracebacks only with `--verbose`.
"""

from __future__ import annotations

from gatekeeper.models import ExitCode


class GatekeeperError(Exception):
    exit_code: ExitCode = ExitCode.CANNOT_EVALUATE

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return self.message


class UsageError(GatekeeperError):
    exit_code = ExitCode.USAGE


class ConfigError(GatekeeperError):
    """A policy, device registry or allowed-signers file is invalid or unreadable."""

    exit_code = ExitCode.CONFIG


class GitError(GatekeeperError):
    """git could not answer: not a repository, unknown revision, missing objects, timeout."""

    exit_code = ExitCode.CANNOT_EVALUATE

    def __init__(self, message: str, fix: str = "", *, argv: tuple[str, ...] = (), returncode: int | None = None,
                 stderr: str = "") -> None:
        super().__init__(message, fix)
        self.argv = argv
        self.returncode = returncode
        self.stderr = stderr


class ToolError(GatekeeperError):
    """A scanner or service failed; the engine turns this into a `tool/*` finding, never a pass."""
