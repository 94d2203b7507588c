"""How every entry point turns a click command's outcome into an exit code and an error line.

Shared by the main CLI and the hook's fast path (which must not import every other command):
click's usage errors exit 2, never 1 (1 means "blocked"); Ctrl-C exits 130; our typed errors exit
with their own code and print `fix:`; anything else is "could not evaluate" (4). Messages can carry
commit data (ref names, paths, git's stderr), so they are printed through sanitize.safe().
"""

from __future__ import annotations

import os
import sys
import traceback

import click

from gatekeeper.errors import ConfigError, GatekeeperError
from gatekeeper.models import ExitCode
from gatekeeper.sanitize import safe


def invoke(command: click.Command, args: list[str], prog_name: str) -> int:
    verbose = any(a in ("--verbose", "-v") for a in args)
    try:
        result = command.main(args=args, prog_name=prog_name, standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("interrupted", err=True)
        return ExitCode.INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        return ExitCode.USAGE
    except GatekeeperError as exc:
        if verbose:
            traceback.print_exc()
        label = "config error" if isinstance(exc, ConfigError) else "error"
        click.echo(f"gatekeeper: {label}: {safe(exc.message)}", err=True)
        if exc.fix:
            click.echo(f"fix: {safe(exc.fix)}", err=True)
        return exc.exit_code
    except BrokenPipeError:
        # The reader went away before the verdict was known: never report that as "allowed".
        silence_stdout()
        return ExitCode.CANNOT_EVALUATE
    except Exception as exc:
        if verbose:
            traceback.print_exc()
        click.echo(f"gatekeeper: internal error: {type(exc).__name__}: {safe(str(exc))}", err=True)
        click.echo("fix: rerun with --verbose and report the traceback", err=True)
        return ExitCode.CANNOT_EVALUATE
    return int(result) if isinstance(result, int) else ExitCode.OK


def silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the interpreter's final flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
