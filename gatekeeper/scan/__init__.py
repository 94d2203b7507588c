"""Content scanning of what a range introduces: workspace, added lines, secrets, semgrep, bandit.

`build_scanners(policy)` is the explicit registry of scanners the engine may run; a scanner the
policy names but this registry cannot provide becomes a `tool/<name>-failed` finding in the engine.
"""

from __future__ import annotations

from gatekeeper.config import Policy
from gatekeeper.interfaces import Scanner


def build_scanners(policy: Policy) -> dict[str, Scanner]:
    return {}
