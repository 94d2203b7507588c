"""Content scanning of what a range introduces: workspace, added lines, secrets, semgrep, bandit.

`build_scanners(policy)` is the explicit registry of scanners the engine may run; a scanner the
policy names but this registry cannot provide becomes a `tool/<name>-failed` finding in the engine.
Scanners are cheap to build: rules, tool versions and the cache are looked up on first use, and a
problem there becomes a finding of that scan, never an exception out of the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: `audit` imports a module of this package for its secret filter
    from gatekeeper.config import Policy
    from gatekeeper.git import Git
    from gatekeeper.interfaces import BlobScanner, LooseBlob, ScanJob, Scanner, ScanResult
    from gatekeeper.models import Finding
    from gatekeeper.scan.cache import ResultCache

SCANNER_NAMES = ("secrets", "semgrep", "bandit")
# Mirrors scan.workspace.DEFAULT_MAX_FILE_BYTES and scan.head.DEFAULT_TIMEOUT without importing them:
# the pre-receive hook pays for every import against GHES's 5 s, and often runs only the secrets scan.
DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024
DEFAULT_TIMEOUT = 300.0


class _Lazy:
    """A scanner built on first use, so a run pays the import cost only of the scanners it runs."""

    def __init__(self, name: str, build: Callable[[], Scanner], per_commit: bool = False,
                 blobs: bool = False) -> None:
        self.name = name
        self.per_commit = per_commit
        self._build = build
        self._scanner: Scanner | None = None
        if blobs:  # the engine asks only scanners that have it to judge loose content (interfaces.BlobScanner)
            self.scan_blobs = self._scan_blobs
            # ...and the names of the refs a push moves (the secrets scanner: a ref name can hold a token)
            self.scan_ref_names = self._scan_ref_names
            # ...and a key it found in a file's name is redacted in the other scanners' findings too
            self.redact_named = self._redact_named
            self.redact_text = self._redact_text
            self.redact_paths = self._redact_paths
            # ...and in the commits' own data the verdict shows (subjects, identities, trailer values)
            self.redact_strings = self._redact_strings

    @property
    def scanner(self) -> Scanner:
        if self._scanner is None:
            self._scanner = self._build()
        return self._scanner

    def scan(self, job: ScanJob) -> ScanResult:
        return self.scanner.scan(job)

    def _scan_ref_names(self, refs: Sequence[str]) -> list[Finding]:
        scan_ref_names = getattr(self.scanner, "scan_ref_names", None)
        return list(scan_ref_names(refs)) if scan_ref_names is not None else []

    def _redact_named(self, findings: list[Finding]) -> list[Finding]:
        if self._scanner is None:  # never ran: it found nothing to redact
            return findings
        redact_named = getattr(self._scanner, "redact_named", None)
        return list(redact_named(findings)) if redact_named is not None else findings

    def _redact_text(self, text: str) -> str:
        redact_text = getattr(self._scanner, "redact_text", None) if self._scanner is not None else None
        return str(redact_text(text)) if redact_text is not None else text

    def _redact_paths(self, paths: Sequence[str]) -> list[str]:
        # Built when there are names to read (a push that only deletes a keyed ref never ran the scan).
        redact_paths = getattr(self.scanner, "redact_paths", None) if paths else None
        return list(redact_paths(paths)) if redact_paths is not None else list(paths)

    def _redact_strings(self, texts: Iterable[str]) -> dict[str, str]:
        # Built when there is text to read, whether or not the scan ran (a policy can turn it off).
        texts = [t for t in texts if t]
        redact_strings = getattr(self.scanner, "redact_strings", None) if texts else None
        return dict(redact_strings(texts)) if redact_strings is not None else {}

    def _scan_blobs(self, git: Git, blobs: Sequence[LooseBlob], deadline: float | None) -> ScanResult:
        scanner: BlobScanner = self.scanner  # type: ignore[assignment]
        return scanner.scan_blobs(git, blobs, deadline)


def build_scanners(policy: Policy, *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
                   timeout: float = DEFAULT_TIMEOUT, cache_dir: Path | None = None, use_cache: bool = True,
                   semgrep_executable: str | None = None, semgrep_rules: Path | None = None,
                   secrets_rules: Path | None = None, reader: Callable[[Path], str | None] | None = None,
                   in_hook: bool = False) -> dict[str, Scanner]:
    """One instance of every scanner, configured for one run (the policy selects which ones run).

    `reader` reads the files the policy names (`secrets.config`) from the mode's trusted source; without
    one they are read from the file system. `in_hook`: live validation of secrets never runs there.
    """

    def cache() -> ResultCache | None:
        from gatekeeper.scan.cache import ResultCache

        return ResultCache(cache_dir) if use_cache and cache_dir is not None else None

    def secrets() -> Scanner:
        from gatekeeper.scan.secrets_scanner import SecretsScanner

        return SecretsScanner(rules_path=secrets_rules, max_file_bytes=max_file_bytes, settings=policy.secrets,
                              reader=reader, validate=policy.secrets.validate and not in_hook)

    def semgrep() -> Scanner:
        from gatekeeper.scan.semgrep import SemgrepScanner

        return SemgrepScanner(rules_dir=semgrep_rules, executable=semgrep_executable, max_file_bytes=max_file_bytes,
                              timeout=timeout, cache=cache(), use_cache=use_cache)

    def bandit() -> Scanner:
        from gatekeeper.scan.bandit import BanditScanner

        return BanditScanner(max_file_bytes=max_file_bytes, timeout=timeout, cache=cache(), use_cache=use_cache,
                             min_confidence=policy.bandit.min_confidence, min_severity=policy.bandit.min_severity)

    scanners: dict[str, Scanner] = {
        "secrets": _Lazy("secrets", secrets, per_commit=True, blobs=True),
        "semgrep": _Lazy("semgrep", semgrep),
        "bandit": _Lazy("bandit", bandit),
    }
    assert tuple(scanners) == SCANNER_NAMES
    return scanners
