"""Run-time guard for the finding catalogue: record the rule id of every Finding gatekeeper's own code
builds while the tests run, so the session can fail when one is not registered in gatekeeper.catalogue.

Findings a test builds itself (fixtures, expected values) are not recorded: only those whose constructor
was called from a module of the `gatekeeper` package (`dataclasses.replace` is looked through, so a
finding re-made by `with_fingerprint` counts for the module that called it). Findings built in a child
process (a real `git push` running the hook) are out of reach here; the static test in
tests/test_catalogue.py covers their literals.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Iterator
from typing import Any

from gatekeeper.catalogue import unregistered
from gatekeeper.models import Finding

_LOOKED_THROUGH = frozenset({"dataclasses", __name__})


def _producer(depth: int) -> str:
    """The module that asked for the Finding: the first caller outside dataclasses and this module."""
    frame = sys._getframe(depth)
    while frame is not None and frame.f_globals.get("__name__") in _LOOKED_THROUGH:
        frame = frame.f_back  # type: ignore[assignment]
    return str(frame.f_globals.get("__name__", "")) if frame is not None else ""


class FindingRecorder:
    """Wraps Finding.__init__ (a frozen slots dataclass: the instance is immutable, the class is not)."""

    def __init__(self) -> None:
        self._sinks: list[dict[str, str]] = [{}]
        self._original: Callable[..., None] | None = None

    @property
    def ids(self) -> dict[str, str]:
        """rule id -> the first gatekeeper module seen building it (this session)."""
        return self._sinks[0]

    def install(self) -> None:
        assert self._original is None, "already installed"
        original = Finding.__init__
        sinks = self._sinks

        @functools.wraps(original)
        def init(finding: Finding, *args: Any, **kwargs: Any) -> None:
            original(finding, *args, **kwargs)
            module = _producer(2)
            if module == "gatekeeper" or module.startswith("gatekeeper."):
                sinks[-1].setdefault(finding.rule_id, module)

        self._original = original
        Finding.__init__ = init  # type: ignore[method-assign,assignment]

    def uninstall(self) -> None:
        if self._original is not None:
            Finding.__init__ = self._original  # type: ignore[method-assign]
            self._original = None

    @contextlib.contextmanager
    def capture(self) -> Iterator[dict[str, str]]:
        """Record into a fresh sink (and not the session's) while the block runs."""
        sink: dict[str, str] = {}
        self._sinks.append(sink)
        try:
            yield sink
        finally:
            self._sinks.remove(sink)


def problems(recorded: dict[str, str]) -> list[str]:
    """One line per recorded id the catalogue does not register: what the session guard fails on."""
    return [f"{rule_id} (built in {recorded[rule_id]})" for rule_id in unregistered(recorded)]


RECORDER = FindingRecorder()
