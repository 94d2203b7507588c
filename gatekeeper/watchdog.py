"""The pre-receive hook's hard time limit, and the answer-once state it shares with the hook.

GitHub Enterprise Server kills all hooks after 5 s in total, and a killed hook says nothing. So a
timer thread fires just below the budget: if the hook has not answered by then, it prints why, records
the timeout, releases scan workspaces and scanner process groups (os._exit runs no `finally`) and
exits as `on_timeout` says — block: 1; warn: 0 with a printed warning; a granted bypass: 0 — but never 0
while the push-time origin of the push's commits is still unrecorded (then 1).
HookState is what both threads share: where outcomes are recorded, what is known of the push so far,
and whether the hook has answered. Whoever sets `done` (under `lock`) answers; the other stays silent.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from gatekeeper import process
from gatekeeper.audit import decisionlog as dlog
from gatekeeper.audit.pushlog import record_outcome
from gatekeeper.hookenv import Pusher
from gatekeeper.models import ExitCode, Verdict
from gatekeeper.origin.base import ForgeInfo
from gatekeeper.report.hook import GITLAB_PREFIX, render_error

WATCHDOG_MARGIN = 0.15  # seconds before the budget at which the hard watchdog fires


@dataclass
class HookState:
    """What the watchdog needs to report if it fires (filled in as the hook learns it)."""

    out: TextIO
    gitlab: bool
    audit_log: Path | None
    decision_log: dlog.Destination | None = None  # the hash-chained log (GATEKEEPER_DECISION_LOG / policy log:)
    repository: str = ""
    started: float = field(default_factory=time.monotonic)
    pusher: Pusher | None = None
    forge: ForgeInfo | None = None
    push_options: tuple[str, ...] = ()
    on_timeout: str = "block"
    budget: float = 4.0
    bypass_granted: bool = False
    bypass_reason: str = ""  # the granted bypass's reason, as the stores keep push options (secrets redacted)
    # The `old new ref` lines (with the update's kind once classified); the commits the push brings, once known.
    lines: tuple[tuple[str, str, str, str], ...] = ()
    commits: tuple[str, ...] | None = None
    # Push-time origin (push options, forge metadata) not yet recorded for the push's commits: the watchdog may then
    # accept nothing — an accepted push must never arrive without its origin (red54).
    origin_pending: bool = False
    done: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def origin_known(self, commits: tuple[str, ...], pending: bool) -> None:
        """The push's commits, and whether a push-time origin record is still to be written for some of them."""
        with self.lock:
            self.commits, self.origin_pending = commits, pending

    def say(self, text: str) -> None:
        """Write to the pusher; a pusher who hung up changes nothing (the exit code still decides)."""
        try:
            self.out.write(text)
            self.out.flush()
        except (OSError, ValueError):
            pass

    def record(self, *, event: str, exit_code: int, verdict: Verdict | None = None, error: str | None = None) -> None:
        """Record the outcome (audit file, decision log). Raises LogError only when the policy requires the
        decision log and it cannot be written (the caller then fails closed)."""
        # The hook's clock keeps running: wait for the log at most what is left of the budget (at least 1 s).
        remaining = self.started + self.budget - WATCHDOG_MARGIN - time.monotonic()
        # Without a verdict, the record names what the push asked for and what it brought (and a bypass the
        # watchdog granted, red54): a timeout accepted by break-glass is a bypass of named commits.
        bypass = ({"by": self.pusher.login if self.pusher else None, "reason": self.bypass_reason}
                  if verdict is None and self.bypass_granted and exit_code == ExitCode.OK else None)
        record_outcome(event=event, exit_code=exit_code, verdict=verdict, error=error, audit_log=self.audit_log,
                       decision_log=self.decision_log, repository=self.repository,
                       pusher=self.pusher.login if self.pusher else None, forge=self.forge,
                       push_options=self.push_options, say=self.say, timeout=max(1.0, remaining),
                       lines=self.lines if verdict is None else (), commits=self.commits if verdict is None else None,
                       bypass=bypass)


class Watchdog:
    """A hard limit below the budget: prints why and exits as on_timeout says, from its own thread."""

    def __init__(self, state: HookState, exit: Callable[[int], None] = os._exit) -> None:
        self.state = state
        self._exit = exit
        self._timer: threading.Timer | None = None

    def arm(self, at: float) -> None:
        self.cancel()
        self._timer = threading.Timer(max(0.0, at - time.monotonic()), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _fire(self) -> None:
        state = self.state
        with state.lock:
            if state.done:
                return
            state.done = True
            if state.origin_pending and (state.bypass_granted or state.on_timeout == "warn"):
                # Accepted now, the commits would arrive without the push options / forge metadata that say where
                # they were made, and later reach a protected branch as undeclared (red54).
                code, text = ExitCode.BLOCKED, (
                    f"gatekeeper: push REJECTED: the check did not finish within {state.budget:g}s, and the origin "
                    "this push declares (push options, forge metadata) was not yet recorded for its commits, so it "
                    "cannot be accepted unchecked" + (" even by bypass" if state.bypass_granted else "") +
                    " -- push again, or push fewer commits at once")
            elif state.bypass_granted:
                code, text = ExitCode.OK, (f"gatekeeper: push ACCEPTED BY BYPASS: the check did not finish within "
                                           f"{state.budget:g}s; this is recorded")
            elif state.on_timeout == "warn":
                code, text = ExitCode.OK, (f"gatekeeper: WARNING: the check did not finish within {state.budget:g}s; "
                                           "push accepted UNCHECKED (on_timeout: warn) -- CI must run the full gate")
            else:
                code, text = ExitCode.BLOCKED, (f"gatekeeper: push REJECTED: the check did not finish within "
                                                f"{state.budget:g}s (on_timeout: block) -- push fewer commits at "
                                                "once, or ask an administrator to raise pre_receive.budget_seconds")
            prefix = GITLAB_PREFIX if state.gitlab and code != ExitCode.OK else ""
            state.say(f"{prefix}{text}\n")
            try:
                state.record(event="timeout", exit_code=code, error=f"watchdog after {state.budget:g}s")
            except dlog.LogError as exc:
                state.say(render_error(exc.message, exc.fix, gitlab=state.gitlab))
                code = ExitCode.CANNOT_EVALUATE
            except Exception as exc:  # this thread must still end the hook: it answers, failing closed (red41)
                state.say(render_error(f"the timeout could not be recorded: {type(exc).__name__}", "",
                                       gitlab=state.gitlab))
                code = ExitCode.CANNOT_EVALUATE
            process.release_all()  # os._exit skips every `finally`: remove workspaces, kill scanners
            self._exit(int(code))
