"""Content scanning of what a range introduces: workspace, added lines, secrets, semgrep, bandit.

`build_scanners(policy)` is the explicit registry of scanners the engine may run; a scanner the
policy names but this registry cannot provide becomes a `tool/<name>-failed` finding in the engine.
Scanners are cheap to build: rules, tool versions and the cache are looked up on first use, and a
problem there becomes a finding of that scan, never an exception out of the registry.
"""

from __future__ import annotations

from pathlib import Path

from gatekeeper.config import Policy
from gatekeeper.interfaces import Scanner
from gatekeeper.scan.bandit import BanditScanner
from gatekeeper.scan.cache import ResultCache
from gatekeeper.scan.head import DEFAULT_TIMEOUT
from gatekeeper.scan.secrets_scanner import SecretsScanner
from gatekeeper.scan.semgrep import SemgrepScanner
from gatekeeper.scan.workspace import DEFAULT_MAX_FILE_BYTES

SCANNER_NAMES = ("secrets", "semgrep", "bandit")


def build_scanners(policy: Policy, *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
                   timeout: float = DEFAULT_TIMEOUT, cache_dir: Path | None = None, use_cache: bool = True,
                   semgrep_executable: str | None = None, semgrep_rules: Path | None = None,
                   secrets_rules: Path | None = None) -> dict[str, Scanner]:
    """One instance of every scanner, configured for one run (the policy selects which ones run)."""
    cache = ResultCache(cache_dir) if use_cache and cache_dir is not None else None
    scanners: dict[str, Scanner] = {
        "secrets": SecretsScanner(rules_path=secrets_rules, max_file_bytes=max_file_bytes),
        "semgrep": SemgrepScanner(rules_dir=semgrep_rules, executable=semgrep_executable,
                                  max_file_bytes=max_file_bytes, timeout=timeout, cache=cache, use_cache=use_cache),
        "bandit": BanditScanner(max_file_bytes=max_file_bytes, timeout=timeout, cache=cache, use_cache=use_cache),
    }
    assert tuple(scanners) == SCANNER_NAMES
    return scanners
