"""The AI-line scan (`ai.scan` in the policy): which scanned lines an agent wrote, and which findings count.

Scan planning in the engine runs each scanner over the commits whose own rule set names it plus, when
`ai.scan` names it, every AI-involved commit — one job per scanner as before (semgrep stays one
invocation over the union of files). What comes back is sorted here, finding by finding:

- on a line an agent wrote: kept and marked (`Finding.ai_basis`, a message suffix); policy.decide then
  judges it by `ai.scan.block_at` as well as by the commit's own threshold;
- on any other line: kept as before when the commit's own rule set runs that scanner, otherwise left out
  (it was found only because the AI set asked for this file, and the AI set covers only agents' lines).

"Lines an agent wrote" are the git-ai / Agent Trace line ranges on the commit's origin evidence
(`Evidence.ai_lines`), or with `scope: files` every line the commit added to a file holding such lines.
An AI-involved commit with no line records (a co-author trailer, an agent author) counts whole: all the
lines it added (fail closed). Per-commit scanners (secrets) report line numbers of the commit's own
version, which is what the records describe. Head scanners (semgrep, bandit) report line numbers at the
range's head: the records apply directly when only one commit of the range touched the file; when
several did and one of them wrote agent lines there, the records cannot be placed and every line the
range added to that file counts (`ai_basis: file`). The records are the author's own (self-asserted),
like the trailers they refine.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from gatekeeper.config import Policy
from gatekeeper.models import AI_COVERAGE_RULES, AIInvolvement, CommitReport, FileChange, Finding, Origin
from gatekeeper.origin.attribution import MAX_RECORD_PATHS, record_path

MAX_RANGES = 20_000  # ranges kept per commit; beyond that (hostile or huge records) the commit counts whole
_SESSION_PATH_CAP = MAX_RECORD_PATHS  # origin.ai keeps at most this many paths per session: a full list may be cut

BASIS_TEXT = {
    "attribution": "on a line an agent wrote (git-ai / Agent Trace records)",
    "file": "in a file holding agent-written lines (all its added lines count)",
    "commit": "in an AI-involved commit without line records (all its added lines count)",
}


def parse_ranges(text: str) -> list[tuple[int, int]]:
    """`"1-4,9"` -> [(1, 4), (9, 9)]; malformed parts are skipped (the parsers validated the shape)."""
    found: list[tuple[int, int]] = []
    for part in text.split(","):
        start, dash, end = part.strip().partition("-")
        if not start.isdigit() or (dash and not end.isdigit()):
            continue
        a, b = int(start), int(end or start)
        if 1 <= a <= b:
            found.append((a, b))
    return found


def _norm(path: str) -> str:
    return record_path(path)


@dataclass(frozen=True, slots=True)
class AILines:
    """What of one commit an agent wrote: everything it added (`whole`), or line ranges per path."""

    whole: bool
    paths: Mapping[str, tuple[tuple[int, int], ...]]

    def basis(self, path: str, line: int | None, scope: str) -> str | None:
        """Why (path, line) of this commit's own version counts as agent-written, or None."""
        if self.whole:
            return "commit"
        ranges = self.paths.get(record_path(path))
        if ranges is None:
            return None
        if scope == "files":
            return "file"
        if line is None:  # a finding about the whole file (a parse error) in a file the agent wrote in
            return "attribution"
        return "attribution" if any(a <= line <= b for a, b in ranges) else None


def commit_ai_lines(origin: Origin) -> AILines | None:
    """The agent-written lines of a commit, from its origin; None for a commit no agent was involved in."""
    if origin.ai is AIInvolvement.NONE:
        return None
    paths: dict[str, list[tuple[int, int]]] = {}
    count = 0
    if any(evidence.ai is not None and not evidence.ai_lines for evidence in origin.evidence):
        # Evidence of the agent's part in the whole commit (a trailer, an author, a marker) beside line records:
        # the whole commit is AI-written for the scan, as for the zones (red50).
        return AILines(True, {})
    for evidence in origin.evidence:
        if evidence.ai is None or not evidence.ai_lines:
            continue
        if len(evidence.ai_lines) >= _SESSION_PATH_CAP:
            return AILines(True, {})  # the list may have been cut: the lines it lost would go unscanned
        for path, text in evidence.ai_lines:
            ranges = parse_ranges(text)
            count += len(ranges)
            if count > MAX_RANGES:
                return AILines(True, {})
            paths.setdefault(_norm(path), []).extend(ranges)
    if not paths:
        return AILines(True, {})  # AI-involved by other evidence, no line records: fail closed
    return AILines(False, {p: tuple(sorted(r)) for p, r in paths.items()})


class AIScope:
    """Sorts one run's scanner findings by who wrote the line (see the module docstring)."""

    def __init__(self, policy: Policy, reports: Sequence[CommitReport],
                 changes: Mapping[str, tuple[FileChange, ...]]) -> None:
        scan = policy.ai.scan
        assert scan is not None
        self.scan = scan
        self.order = [r.commit.sha for r in reports]
        self.own = {r.commit.sha: frozenset(policy.ruleset(r.ruleset).scanners) for r in reports}
        self.ai: dict[str, AILines] = {}
        for report in reports:
            lines = commit_ai_lines(report.origin)
            if lines is not None and not lines.whole:
                changed = {record_path(change.path) for change in changes.get(report.commit.sha, ())}
                if not changed & set(lines.paths):
                    # Records that name none of the paths the commit changes say nothing about its lines: the
                    # whole commit is the agent's, as for the zones (red53: a git-ai note naming an unchanged file
                    # took the commit's added key out of the AI set's threshold).
                    lines = AILines(True, {})
            if lines is not None:
                self.ai[report.commit.sha] = lines
        self._touchers: dict[str, list[str]] | None = None
        self._changes = changes

    def extra_scanners(self, sha: str) -> tuple[str, ...]:
        """The scanners the AI set adds to this commit's own (none for a commit no agent was involved in)."""
        return self.scan.scanners if sha in self.ai else ()

    def touchers(self, path: str) -> list[str]:
        """The judged commits that changed `path`, oldest first."""
        if self._touchers is None:
            index: dict[str, list[str]] = {}
            for sha in self.order:
                for change in self._changes.get(sha, ()):
                    names = index.setdefault(change.path, [])
                    if not names or names[-1] != sha:
                        names.append(sha)
            self._touchers = index
        return self._touchers.get(path, [])

    def apply(self, scanner: str, per_commit: bool, findings: Iterable[Finding]) -> tuple[list[Finding], int]:
        """(the findings that count, each marked when on an agent's line; how many were left out)."""
        kept: list[Finding] = []
        dropped = 0
        in_ai_set = scanner in self.scan.scanners
        for finding in findings:
            if finding.category != scanner or finding.commit is None or finding.path is None:
                if (in_ai_set and finding.rule_id in AI_COVERAGE_RULES and finding.ai_basis is None
                        and finding.commit in self.ai):
                    # A file of an agent's commit the AI set's scanner did not read (a link named as code, a
                    # skipped file) is judged by the AI set's threshold too (red53), not only the commit's own.
                    finding = dataclasses.replace(finding, ai_basis="commit")
                kept.append(finding)  # skips, tool failures, loose content: not about a commit's lines
                continue
            if per_commit:
                lines = self.ai.get(finding.commit)
                basis = lines.basis(finding.path, finding.line, self.scan.scope) if lines else None
                owners = [finding.commit]
            else:
                basis, owners = self._at_head(finding)
            own = [sha for sha in owners if scanner in self.own.get(sha, ())]
            if basis is None and not own:
                dropped += 1
                continue
            if own and finding.commit not in own:
                # Judged by a commit whose own rule set runs this scanner (the one it was blamed on before
                # the AI set added commits to the job), never by a laxer AI commit's.
                finding = dataclasses.replace(finding, commit=own[-1])
            if basis is not None:
                finding = dataclasses.replace(finding, ai_basis=basis, message=f"{finding.message} "
                                              f"[AI-written: {BASIS_TEXT[basis]}]")
                if not in_ai_set and not own:
                    dropped += 1
                    continue
            kept.append(finding)
        return kept, dropped

    def _at_head(self, finding: Finding) -> tuple[str | None, list[str]]:
        assert finding.path is not None and finding.commit is not None
        touchers = self.touchers(finding.path) or [finding.commit]
        with_ai = [sha for sha in touchers if sha in self.ai]
        if not with_ai:
            return None, touchers
        if len(touchers) == 1:
            return self.ai[touchers[0]].basis(finding.path, finding.line, self.scan.scope), touchers
        # Several commits changed the file: line numbers at the head are not the ones the records name.
        if any(self.ai[sha].whole for sha in with_ai):
            return "commit", touchers
        if any(finding.path in self.ai[sha].paths for sha in with_ai):
            return "file", touchers
        return None, touchers
