"""How every entry point turns a click command's outcome into an exit code and an error line.

Shared by the main CLI and the hook's fast path (which must not import every other command):
click's usage errors exit 2, never 1 (1 means "blocked"); Ctrl-C, SIGTERM and SIGHUP exit 130 after the
same cleanup (CI runners and git servers stop a job with SIGTERM: the scan workspace, which holds the
scanned secrets, is removed and scanner process groups are killed; see gatekeeper.process); our typed errors exit
with their own code and print `fix:`; anything else is "could not evaluate" (4). Messages can carry
commit data (ref names, paths, git's stderr), so they are printed through sanitize.safe().
"""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import signal
import sys
import traceback
from collections.abc import Iterator
from typing import NoReturn

import click

from gatekeeper import process
from gatekeeper.errors import ConfigError, GatekeeperError
from gatekeeper.models import ExitCode
from gatekeeper.sanitize import safe


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP: handled exactly like Ctrl-C, so every `finally` and context manager runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _terminate(signum: int, frame: object) -> None:
    # Ignore repeats while we clean up: a second SIGTERM must not cut the removal of a workspace short.
    for other in (signal.SIGTERM, signal.SIGHUP):
        with contextlib.suppress(OSError, ValueError):
            signal.signal(other, signal.SIG_IGN)
    raise Terminated(signum)


@contextlib.contextmanager
def _termination_handlers() -> Iterator[None]:
    """SIGTERM and SIGHUP raise Terminated for the duration of one command (then the old handlers are back).
    A signal the parent set to be ignored (nohup) stays ignored."""
    previous: dict[int, object] = {}
    try:
        for signum in (signal.SIGTERM, signal.SIGHUP):
            current = signal.getsignal(signum)
            if current is signal.SIG_IGN:
                continue
            previous[signum] = signal.signal(signum, _terminate)
    except ValueError:  # not the main thread: signals cannot be handled here
        pass
    try:
        yield
    finally:
        for number, handler in previous.items():
            with contextlib.suppress(OSError, ValueError, TypeError):
                signal.signal(number, handler)  # type: ignore[arg-type]


def invoke(command: click.Command, args: list[str], prog_name: str) -> int:
    """Run a click command; interrupted (Ctrl-C, SIGTERM, SIGHUP) exits 130 after cleaning up."""
    try:
        with _termination_handlers():
            try:
                return _invoke(command, args, prog_name)
            finally:
                # Whatever a `finally` further down could not remove or kill (it should be nothing).
                process.release_all()
    except KeyboardInterrupt:  # a signal that arrived after the command's own handling
        process.release_all()
        return ExitCode.INTERRUPTED


def _invoke(command: click.Command, args: list[str], prog_name: str) -> int:
    verbose = any(a in ("--verbose", "-v") for a in args)
    try:
        result = command.main(args=args, prog_name=prog_name, standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt) as exc:
        cause = exc if isinstance(exc, Terminated) else exc.__cause__ or exc.__context__
        how = f" by {cause}" if isinstance(cause, Terminated) else ""
        with contextlib.suppress(OSError, ValueError):
            click.echo(f"gatekeeper: interrupted{how}; nothing was decided", err=True)
        return ExitCode.INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        return ExitCode.USAGE
    except GatekeeperError as exc:
        if verbose:
            traceback.print_exc()
        label = "config error" if isinstance(exc, ConfigError) else "error"
        _say_error(f"gatekeeper: {label}: {safe(exc.message)}" + (f"\nfix: {safe(exc.fix)}" if exc.fix else ""))
        return exc.exit_code
    except BrokenPipeError:
        # The reader went away before the verdict was known: never report that as "allowed".
        silence_stdout()
        return ExitCode.CANNOT_EVALUATE
    except SystemExit as exc:
        # click's own answer to a closed stdout is exit 1, which here means "blocked" (`gatekeeper audit | head`).
        context = exc.__context__
        if isinstance(context, OSError) and context.errno == errno.EPIPE:
            silence_stdout()
            return ExitCode.CANNOT_EVALUATE
        raise
    except Exception as exc:
        if verbose:
            traceback.print_exc()
        _say_error(f"gatekeeper: internal error: {type(exc).__name__}: {safe(str(exc))}\n"
                   "fix: rerun with --verbose and report the traceback")
        return ExitCode.CANNOT_EVALUATE
    return int(result) if isinstance(result, int) else ExitCode.OK


def _say_error(text: str) -> None:
    """An error to stderr. On a GitHub Actions runner with workflow commands stopped around it: a message may
    quote commit data (a path may hold `##[…]`, which the runner reads anywhere in a line; red46)."""
    if os.environ.get("GITHUB_ACTIONS") == "true":
        from gatekeeper.report.github import guarded

        text = guarded(text)
    click.echo(text.rstrip("\n"), err=True)


def exit_process(code: int) -> NoReturn:
    """Leave the process with `code` once a command has run. The objects it made are frozen first: the
    collector's last full pass at shutdown then skips them (they are still freed, and every finalizer and
    atexit handler still runs), which spares about 10 ms on an audit of a long history. Only for an entry
    point the process ends in: frozen objects are never collected, so a test that runs commands in-process
    calls `invoke` instead."""
    gc.freeze()
    sys.exit(code)


def silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the interpreter's final flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
