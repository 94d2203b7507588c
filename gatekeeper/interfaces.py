"""The seams of the engine: what a scanner, a signature source and a review source must provide.

The engine takes implementations of these as parameters, so tests pass fakes instead of patching
modules, and modes choose what runs (the pre-receive fast profile passes fewer scanners).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from gatekeeper.config import Policy, ReviewRule
from gatekeeper.git import Git
from gatekeeper.models import (
    Commit,
    CommitReport,
    FileChange,
    Finding,
    RefUpdate,
    ReviewInfo,
    ScannerStat,
    SignatureInfo,
)
from gatekeeper.origin.base import DeviceFact


@dataclass(frozen=True, slots=True)
class ScanJob:
    """What one scanner is asked to look at: the commits whose rule set names it."""

    git: Git
    commits: Sequence[Commit]  # oldest first
    changes: Mapping[str, tuple[FileChange, ...]]  # per commit sha
    head: str | None  # the range's newest commit (files are scanned as they are there)
    deadline: float | None = None  # time.monotonic() value after which work is cut
    tags: tuple[tuple[str, str], ...] = ()  # (ref, tag object id) of annotated tags the updates move


@dataclass(frozen=True, slots=True)
class LooseBlob:
    """Content a push brings outside any commit: a blob a ref names (directly or through tags), or a
    blob of a tree a ref names (`refs/backup/x` -> tree). `path` is its path in that tree ("" for a
    blob named directly); `tree` that tree and `raw` the path's bytes, for the `.gitattributes` a checkout of the
    tree reads (`git archive <tag>`, `git checkout <tag> -- .`: red161). `blob` is "" for a directory or a gitlink of
    such a tree: a name with no content to read (red163)."""

    ref: str
    path: str
    blob: str
    tree: str = ""
    raw: bytes = b""


@dataclass(frozen=True, slots=True)
class ScanResult:
    findings: tuple[Finding, ...] = ()
    stat: ScannerStat = field(default_factory=lambda: ScannerStat(ran=True))
    files: int = 0


class Scanner(Protocol):
    name: str

    def scan(self, job: ScanJob) -> ScanResult: ...


class BlobScanner(Protocol):
    """A scanner that can also judge loose content (LooseBlob): the engine asks those that have it."""

    def scan_blobs(self, git: Git, blobs: Sequence[LooseBlob], deadline: float | None) -> ScanResult: ...


@dataclass(frozen=True, slots=True)
class SignatureResult:
    signatures: Mapping[str, SignatureInfo]
    devices: Mapping[str, DeviceFact]  # commit sha -> registered device of the good signing key
    findings: tuple[Finding, ...] = ()


class SignatureSource(Protocol):
    def verify(self, git: Git, commits: Sequence[Commit], policy: Policy, now: dt.datetime) -> SignatureResult: ...


@dataclass(frozen=True, slots=True)
class ReviewResult:
    reviews: Mapping[str, ReviewInfo]
    findings: tuple[Finding, ...] = ()


class ReviewSource(Protocol):
    """Answers "was this mobile-origin change reviewed?" for the commits that need review."""

    id: str

    def review(self, commits: Sequence[CommitReport], needing: Sequence[CommitReport], updates: Sequence[RefUpdate],
               policy: Policy, approvals: int, rules: Mapping[str, ReviewRule] | None = None) -> ReviewResult:
        """`rules`: the review each commit of `needing` needs (checks.review_rule: its rule set's, made stricter
        by the zones it touches), by commit id; without it, each commit's rule set's."""
        ...
