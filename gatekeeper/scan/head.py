"""The shared shape of the file-based scanners (semgrep, bandit): files at the range's head, one tool run.

`HeadScanner.scan` does the part both share: which files the range touched at its head and which lines
it added (common.head_changes), materialising those blobs (workspace), asking the cache per blob,
running the tool ONCE over every file the cache did not answer, storing the new per-blob results,
and then keeping only findings on lines the range added — pre-existing findings in a touched file are
not blamed on the change. A subclass says which paths it wants and how to run its tool over a batch.
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gatekeeper import catalogue
from gatekeeper.interfaces import ScanJob, ScanResult
from gatekeeper.models import Finding, ScannerStat, Severity
from gatekeeper.sanitize import safe
from gatekeeper.scan.cache import ResultCache
from gatekeeper.scan.common import HeadChanges, RawFinding, head_changes, inline_ignores, tool_failure
from gatekeeper.scan.workspace import (
    DEFAULT_MAX_FILE_BYTES,
    EXECUTABLE_MODE,
    Entry,
    Target,
    Workspace,
    reads_embedded,
    safe_extension,
)

DEFAULT_TIMEOUT = 300.0
# Above this many bytes of file names, targets are given as the workspace directory instead of one
# argument each (ARG_MAX is 2 MiB on Linux, and the environment shares it).
MAX_ARGV_BYTES = 512 * 1024
# Versions of a file before the range that _earlier scans (one tool run each): a merge's boundary can hold one per
# parent; past this many, findings that only a later one had are reported (more findings, never fewer).
MAX_BASE_VERSIONS = 4


@functools.cache
def code_digest() -> str | None:
    """A digest of the code that turns a tool's output into the cached findings (this package's sources): an
    upgrade of gatekeeper that reads a tool's output differently — a finding it now keeps or drops, a message it
    now redacts — must not be answered by entries an older version wrote. None when the sources cannot be read
    (then nothing is cached)."""
    digest = hashlib.sha256()
    try:
        for source in sorted(Path(__file__).resolve().parent.glob("*.py")):
            digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    except OSError:
        return None
    return digest.hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class BatchResult:
    """One tool run over a batch: raw findings per target rel path, or why the run failed."""

    findings: dict[str, list[RawFinding]] = field(default_factory=dict)
    failure: Finding | None = None  # tool/<name>-failed or tool/timeout: nothing of the batch is trusted
    uncacheable: frozenset[str] = frozenset()  # rel paths whose result is incomplete (per-file timeout, ...)
    note: str = ""  # e.g. "semgrep: --experimental failed (...), ran the normal engine"


@dataclass(slots=True)
class RunInfo:
    """What the last `scan` did, for stats, tests and benchmarks (not part of any output format)."""

    files: int = 0
    cache_hits: int = 0
    tool_files: int = 0  # files handed to the tool (cache misses)
    invocations: int = 0  # tool processes started for scanning (version probes not counted)
    mode: str = ""  # e.g. "experimental" / "normal" for semgrep
    notes: list[str] = field(default_factory=list)


class HeadScanner:
    name = "head"
    extension_alias: dict[str, str] = {}
    shebang_alias: dict[str, str] = {}  # extensionless scripts this tool reads, by `#!` interpreter
    # The tool reads nothing of a file unless all of it parses (bandit; semgrep recovers from a parse error): a
    # notebook's cells it could not read are left out of its copy, and each is reported (Workspace `whole`).
    reads_whole_files = False

    def __init__(self, *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES, timeout: float = DEFAULT_TIMEOUT,
                 cache: ResultCache | None = None, use_cache: bool = True) -> None:
        self.max_file_bytes = max_file_bytes
        self.timeout = timeout
        self._cache = cache
        self.use_cache = use_cache
        self.last_run = RunInfo()

    # -- what a subclass provides ---------------------------------------------------------------
    def wants(self, path: str) -> bool:
        raise NotImplementedError

    def cache_identity(self) -> tuple[str, str] | None:
        """(tool version, ruleset digest) for cache keys; None when it cannot be established."""
        raise NotImplementedError

    def run_batch(self, workspace: Workspace, targets: Sequence[Target], timeout: float) -> BatchResult:
        raise NotImplementedError

    # -- the shared part -------------------------------------------------------------------------
    def cache(self) -> ResultCache | None:
        if not self.use_cache:
            return None
        if self._cache is None:
            self._cache = ResultCache()
        return self._cache

    def remaining(self, job: ScanJob) -> float:
        if job.deadline is None:
            return self.timeout
        return min(self.timeout, job.deadline - time.monotonic())

    def scan(self, job: ScanJob) -> ScanResult:
        self.last_run = RunInfo()
        try:
            return self._scan(job)
        except (OSError, ValueError) as exc:
            # The workspace could not be written (disk full, a path check tripped): not scanned, say so.
            failure = tool_failure(self.name, f"{type(exc).__name__}: {exc}")
            return ScanResult((failure,), ScannerStat(ran=False, error=failure.message))

    def _scan(self, job: ScanJob) -> ScanResult:
        info = self.last_run
        changes = head_changes(job, max_file_bytes=self.max_file_bytes)
        if changes is None:
            return ScanResult(stat=ScannerStat(ran=True))
        # (Extensionless and executable files are kept, dropped or read as another language by their `#!` line:
        # Workspace.sniffed.)
        # (Notebooks and markup are read for the code they hold: Workspace.embeds.)
        entries = [e for e in changes.entries if self.wants(e.path) or (
            self.shebang_alias and (not safe_extension(e.path) or e.mode == EXECUTABLE_MODE
                                    or reads_embedded(e.path, self.wants, self.shebang_alias)))]
        findings: list[Finding] = []
        errors: list[str] = []
        with Workspace(max_file_bytes=self.max_file_bytes, extension_alias=self.extension_alias,
                       shebang_alias=self.shebang_alias, wants=self.wants, whole=self.reads_whole_files) as workspace:
            targets = workspace.materialise(job.git, entries)
            info.files = len(targets)
            info.notes.extend(workspace.notes)
            for skip in workspace.skips:
                finding = skip.finding(self.name, self.max_file_bytes)
                if finding is not None:
                    findings.append(finding)
            raw, failure, batch_notes = self._results(job, workspace, targets)
            info.notes.extend(batch_notes)
            if failure is not None:
                findings.append(failure)
                errors.append(failure.message)
            earlier: Mapping[str, Counter[tuple[str, str]]] = {}
            if failure is None:
                earlier, failure = self._earlier(job, targets, raw, changes)
                if failure is not None:
                    findings.append(failure)
                    errors.append(failure.message)
            for target in targets:
                findings.extend(self._findings(target, raw.get(target.rel, []), changes, earlier.get(target.rel)))
        cache = self._cache
        if cache is not None and cache.problem:
            info.notes.append(cache.problem)
            if cache.refused:
                # Said in every output, not only in stats: someone else could write this user's cache.
                findings.append(catalogue.rule("scan/cache-refused").finding(cache.problem,
                                        fix="make the cache directory private (chmod 700, owned by you) or set "
                                        "GATEKEEPER_CACHE_DIR to one that is").with_fingerprint(str(cache.directory)))
        stat = ScannerStat(ran=not errors, error="; ".join(errors) or None, files=len(targets),
                           detail="; ".join(info.notes) or None)
        return ScanResult(findings=tuple(findings), stat=stat, files=len(targets))

    def _results(self, job: ScanJob, workspace: Workspace,
                 targets: Sequence[Target]) -> tuple[dict[str, list[RawFinding]], Finding | None, list[str]]:
        info = self.last_run
        raw: dict[str, list[RawFinding]] = {}
        notes: list[str] = []
        cache = self.cache()
        identity = self.cache_identity() if cache is not None and cache.available and targets else None
        code = code_digest() if identity is not None else None
        if code is None:
            identity = None
        keys: dict[str, str] = {}
        misses: list[Target] = []
        for target in targets:
            cached = None
            if cache is not None and identity is not None and target.digest:
                # The path as the tool's rules see it: the original one, or (renamed) only its extension;
                # generated names depend on the other files of the run and would defeat the cache.
                seen_as = f"renamed:{safe_extension(target.rel)}" if target.renamed else target.rel
                if target.part:
                    seen_as += f";part={target.part}"  # (one blob's other text: a page's handlers)
                # And the bytes the tool reads, not only the blob they came from: what a page or a notebook holds as
                # code depends on its extension, its mode and its neighbours too (red125: a blob cached clean as a
                # `.vue` was answered for as a `.html`, a notebook cached clean in one directory was answered for
                # beside a module that makes its SQL cell Python). The tool reads nothing else.
                keys[target.rel] = key = ResultCache.key(self.name, identity[0], f"{identity[1]};code={code}",
                                                         f"{target.blob};read={target.digest}", seen_as)
                cached = cache.get(self.name, key)
            if cached is None:
                misses.append(target)
            else:
                raw[target.rel] = cached
                info.cache_hits += 1
        info.tool_files = len(misses)
        if not misses:
            return self._with_unread(targets, raw), None, notes
        timeout = self.remaining(job)
        if timeout <= 0:
            return raw, tool_failure(self.name, f"no time left to scan {len(misses)} file(s)", timeout=True), notes
        batch = self.run_batch(workspace, misses, timeout)
        if batch.note:
            notes.append(batch.note)
        if batch.failure is not None:
            return raw, batch.failure, notes
        for target in misses:
            found = batch.findings.get(target.rel, [])
            raw[target.rel] = found
            if cache is not None and target.rel in keys and target.rel not in batch.uncacheable:
                cache.put(self.name, keys[target.rel], found)
        return self._with_unread(targets, raw), None, notes

    def _with_unread(self, targets: Sequence[Target], raw: dict[str, list[RawFinding]]) -> dict[str, list[RawFinding]]:
        """The tool's findings, and one for each part of a notebook it could not read (Target.unread; from the blob
        alone, so never cached): at the cell's own lines, as a Python file the tool cannot parse is reported."""
        for target in targets:
            items: list[RawFinding] = []
            for region in target.unread:
                if region.deep:
                    item = RawFinding("scan/incomplete", Severity.MEDIUM, f"{self.name} could not check this notebook "
                                      f"cell ({region.reason}); the rest of the notebook was checked",
                                      "split the expression, or review the cell by hand", region.first, region.last)
                else:
                    item = RawFinding("scan/parse-error", Severity.LOW, f"{self.name} could not check this notebook "
                                      f"cell ({safe(region.reason, limit=200)}); the rest of the notebook was checked",
                                      "make the cell valid Python (IPython runs nothing of a cell it cannot parse), "
                                      "or review it by hand", region.first, region.last)
                items.append(item)
            if items:
                raw[target.rel] = [*raw.get(target.rel, []), *items]
        return raw

    @staticmethod
    def _added(target: Target, changes: HeadChanges) -> frozenset[int] | None:
        """The lines of `target` the range added; None when every line counts as added."""
        patch = changes.added.get(target.key)
        if ((target.transcoded and (patch is None or patch.binary)) or (patch is not None and patch.truncated)
                or not target.placed):
            # git saw binary (UTF-16, NUL bytes) and named no lines, the patch was cut at the line cap, or code
            # embedded in the file could not be put at its own lines: every line counts, which errs on the side of
            # reporting a finding the file already had.
            return None
        return changes.added_lines(target.key)

    def _earlier(self, job: ScanJob, targets: Sequence[Target], raw: Mapping[str, list[RawFinding]],
                 changes: HeadChanges) -> tuple[dict[str, Counter[tuple[str, str]]], Finding | None]:
        """What the tool finds, as (rule, matched code) with how often, in the version before the range of each
        file with a finding on a line the range did not add — the only findings _findings may drop as
        pre-existing, and at most as many of each as this finds there (red56: one old twin of the same code
        must not excuse a second copy that was hidden). A line is not "pre-existing" because the range did not
        write it: the tool may never have been able to check it before (red51: code behind a line that does not
        parse, or a file padded past semgrep's match cap, armed later by deleting the breakage), or the range
        may have made it dangerous elsewhere in the file (a new taint source). Each version at the boundary is
        scanned (through the cache: usually the head of an earlier scan); the tool failing there is a failure
        of this scan, and then every finding of those files counts."""
        candidates: dict[str, Target] = {}
        for target in targets:
            added = self._added(target, changes)
            if added is not None and any(i.line is not None and i.line not in added for i in raw.get(target.rel, ())):
                candidates[target.path] = target
        if not candidates or not changes.bases:
            return {}, None
        wanted = {(base, changes.moved_from.get(t.key, t.key).decode("utf-8", "surrogateescape")): t
                  for t in candidates.values() for base in changes.bases}
        versions: dict[str, list[str]] = {}  # display path -> its distinct blobs at the boundary
        for pair, blob in job.git.blobs_at(wanted).items():
            found = versions.setdefault(wanted[pair].path, [])
            if blob not in found:
                found.append(blob)
        seen: dict[str, Counter[tuple[str, str]]] = {path: Counter() for path in candidates}
        info = self.last_run
        # One workspace per round, each path at most once in it (a merge's bases may hold several versions).
        for round_ in range(min(MAX_BASE_VERSIONS, max((len(v) for v in versions.values()), default=0))):
            # (Read as a plain file, whatever the head's mode: a version the `#!` line did not make executable was
            # never read as the language it names now — a `chmod +x` alone must not make its findings "old".)
            entries = [Entry(path, blobs[round_], "100644", candidates[path].commit, candidates[path].raw)
                       for path, blobs in versions.items() if round_ < len(blobs)]
            with Workspace(max_file_bytes=self.max_file_bytes, extension_alias=self.extension_alias,
                           shebang_alias=self.shebang_alias, wants=self.wants,
                           whole=self.reads_whole_files) as workspace:
                olds = workspace.materialise(job.git, entries)
                tool_files = info.tool_files
                results, failure, notes = self._results(job, workspace, olds)
                info.tool_files += tool_files  # _results counts its own run only
                info.notes.extend(notes)
                if failure is not None:
                    # Nothing is known of the earlier version: every finding counts (red58: a base scan made to
                    # fail must not hand back the old added-lines rule under on_tool_error: warn).
                    return {t.rel: Counter() for t in candidates.values()}, failure
                for old in olds:
                    items = results.get(old.rel, [])
                    lines = _read_lines(old.local) if items else []
                    # Several base versions (a merge): the most any one of them has of each.
                    seen[old.path] |= Counter((i.rule_id, _material(lines, i)) for i in items)
        return {candidates[path].rel: known for path, known in seen.items()}, None

    def _findings(self, target: Target, raw: Sequence[RawFinding], changes: HeadChanges,
                  earlier: Counter[tuple[str, str]] | None = None) -> list[Finding]:
        """Findings on the lines the range added, and on other lines those the file's version before the range
        did not have, as many times as it had them (`earlier`: _earlier's answer; None: none was asked for, the
        added lines decide)."""
        if not raw:
            return []
        added = self._added(target, changes)
        lines: list[str] | None = None
        result: list[Finding] = []
        left = Counter(earlier) if earlier is not None else None
        for item in raw:
            if item.line is not None and added is not None and item.line not in added:
                if left is None:
                    continue  # pre-existing: not introduced by this range
                if lines is None:
                    lines = _read_lines(target.local)
                key = (item.rule_id, _material(lines, item))
                if left[key] > 0:
                    left[key] -= 1
                    continue  # the version before the range had it: not introduced by this range
            if lines is None:
                lines = _read_lines(target.local)
            text = _line(lines, item.line)
            # Content-based identity: the rule, the file and the code it matched, not the line number.
            material = _material(lines, item)
            ignores = inline_ignores(text) if item.line is not None else ()
            result.append(Finding(
                rule_id=item.rule_id, severity=item.severity, message=item.message, commit=target.commit,
                path=target.path, line=item.line, fix=item.fix, line_ignores=ignores,
            ).with_fingerprint(target.path, material[:2000]))
        return result


def _material(lines: Sequence[str], item: RawFinding) -> str:
    """The code a finding matched, whitespace-normalised: with its rule, what identifies it across versions."""
    if item.line is None:
        return ""
    end = item.end_line if item.end_line and item.end_line >= item.line else item.line
    return " ".join(" ".join(_line(lines, n) for n in range(item.line, end + 1)).split())


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_bytes().decode("utf-8", "replace").split("\n")
    except OSError:
        return []


def _line(lines: Sequence[str], number: int | None) -> str:
    if number is None or number < 1 or number > len(lines):
        return ""
    return lines[number - 1]
