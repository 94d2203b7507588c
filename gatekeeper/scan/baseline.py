"""Baseline files: fingerprints of accepted findings that later runs suppress (reason "baseline")."""

from __future__ import annotations

import json
from pathlib import Path

from gatekeeper.errors import ConfigError


def load_baseline(path: Path | None) -> frozenset[str]:
    if path is None:
        return frozenset()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: baseline file not found", "run `gatekeeper baseline` or fix `baseline:`") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: cannot read baseline: {exc}", "regenerate it with `gatekeeper baseline`") from None
    if not isinstance(data, dict) or data.get("version") != 1 or not isinstance(data.get("fingerprints"), list):
        raise ConfigError(f"{path}: not a gatekeeper baseline (expected version 1 with a fingerprints list)",
                          "regenerate it with `gatekeeper baseline`")
    return frozenset(str(f) for f in data["fingerprints"] if isinstance(f, str))
