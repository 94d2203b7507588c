"""Baseline files: fingerprints of accepted findings that later runs suppress (reason "baseline").

Strict like every configuration file: `{"version": 1, "fingerprints": [...]}` with `version` the
integer 1 (not `true`, not `1.0`), fingerprints short hex-ish strings, no NaN/Infinity constants,
bounded size and nesting. Anything else is a ConfigError (exit 3) naming the key, never an internal
error. Which findings a fingerprint may hide (content findings only) is decided in policy.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gatekeeper.errors import ConfigError
from gatekeeper.lazy_regex import lazy

MAX_BASELINE_BYTES = 16 * 1024 * 1024
_FINGERPRINT = lazy(r"\A[\x21-\x7e]{1,256}\Z")
_FIX = "regenerate it with `gatekeeper baseline`"


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid value")


def parse_baseline(text: str, source: str) -> frozenset[str]:
    """Validate baseline JSON text; ConfigError names `source: key` and what to do."""
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise ConfigError(f"{source}: cannot read baseline: nested too deeply", _FIX) from None
    except ValueError as exc:
        raise ConfigError(f"{source}: cannot read baseline: {str(exc)[:200]}", _FIX) from None
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: not a gatekeeper baseline (expected an object with version 1 and a "
                          "fingerprints list)", _FIX)
    version = data.get("version")
    if type(version) is not int or version != 1:
        raise ConfigError(f"{source}: version: expected the integer 1, got {str(version)[:40]!r}", _FIX)
    prints = data.get("fingerprints")
    if not isinstance(prints, list):
        raise ConfigError(f"{source}: fingerprints: expected a list of strings", _FIX)
    for i, item in enumerate(prints):
        if not isinstance(item, str) or not _FINGERPRINT.match(item):
            raise ConfigError(f"{source}: fingerprints[{i}]: not a fingerprint ({type(item).__name__})", _FIX)
    return frozenset(prints)


def load_baseline(path: Path | None) -> frozenset[str]:
    if path is None:
        return frozenset()
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BASELINE_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(f"{path}: baseline file not found", "run `gatekeeper baseline` or fix `baseline:`") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read baseline: {exc.strerror}", _FIX) from None
    if len(raw) > MAX_BASELINE_BYTES:
        raise ConfigError(f"{path}: baseline larger than {MAX_BASELINE_BYTES} bytes", _FIX)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: cannot read baseline: not UTF-8 text", _FIX) from None
    return parse_baseline(text, str(path))
