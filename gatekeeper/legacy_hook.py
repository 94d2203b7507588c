"""A hook that was there before gatekeeper's: `gatekeeper install` keeps it as `<hook>.legacy`, and the
pre-receive, post-receive and pre-push doors run it first with the same arguments and stdin.

It runs in its own process group, killed whole when it is done or runs out of time, so nothing it
started outlives the hook. What its exit code means is the door's to say (pre-receive and pre-push:
anything but 0 stops the push).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from gatekeeper import process


def run_legacy(legacy: Path, args: Sequence[str], stdin: bytes, timeout: float) -> int | None:
    """Run an existing hook kept as `<hook>.legacy` with the same stdin; None when there is none."""
    if not legacy.is_file() or not os.access(legacy, os.X_OK):
        return None
    try:
        # Its own process group, killed whole when it is done or times out: nothing it started outlives us.
        return process.run_inherited([str(legacy), *args], input=stdin, timeout=max(0.1, timeout))
    except process.Timeout:
        return 124
    except OSError:
        return 126
