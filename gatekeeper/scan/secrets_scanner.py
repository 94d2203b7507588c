"""The secrets scanner: the in-process SecretDetector over the lines EACH commit of the range added.

Per commit, not per range: a secret added in commit 1 and deleted in commit 2 of the same push is
still in the pushed history, so it is still found (and the fix says that deleting it is not enough).
All commits' patches come from one streamed git process (added_lines.iter_commit_additions).

A finding carries the rule, severity, commit, path and line, a message with the REDACTED value only,
a content-based fingerprint (the digest of the value: the same secret moved to another line or file
keeps its identity, so a baseline entry follows it), and the rule ids of an inline
`gatekeeper: ignore[...]` comment on that line — policy.decide, not this module, decides whether that
suppresses it. Symlinks are never followed, but their target text is scanned like any added line;
gitlinks have no content. What git shows
as binary is read from the object store and decoded (scan.text: UTF-16/32, text with NUL bytes, a real
binary's printable runs) and scanned; a real binary is still reported (`scan/binary-skipped`), files over
the size cap are recorded skips (`scan/file-too-large`), and added text beyond the per-file cap is
reported (`scan/diff-too-large`) rather than dropped silently — policy `unscanned` decides whether
content left unscanned blocks.

Messages are content too (DESIGN §10): every commit's message and every annotated tag the push moves
(and the tags those tags point at) are scanned with the same detector; their findings name the path
`<commit message>` or `<tag message>` and the line within the message. The rest of each object is
content as well: its header (author, committer, tagger, tag name, encoding, `mergetag` and any extra
header a hand-made object carries, the signature block included; not the object ids git checks) is scanned
as `<commit header>` / `<tag header>` with the header line, and every path a commit creates is scanned
as a name (the finding names that path, with no line). An added line holding a NUL byte (UTF-16 whose
first 8000 bytes have none, so git showed it as text) sends the whole file through the decoding path
below, like a file git calls binary. A match the detector judged a
placeholder or an example is not dropped: it becomes a finding with `suppressed_by` set, which
policy.decide records under `suppressed` with that reason; so do findings in files the policy calls
documentation or test fixtures (`secrets.docs` / `secrets.fixtures`), unless a checksum verifies.

With `secrets.config` the rules come from a gitleaks-format file read through the mode's trusted
reader (scan.gitleaks). With `secrets.validate` (never in pre-receive) findings of providers with a
read-only identity call are marked live / revoked / unknown (scan.validation).
"""

from __future__ import annotations

import bisect
import codecs
import dataclasses
import functools
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from gatekeeper import catalogue
from gatekeeper.config import DEFAULT_TEST_FILES, SecretsSettings, glob_match
from gatekeeper.errors import GatekeeperError
from gatekeeper.git import Git
from gatekeeper.interfaces import LooseBlob, ScanJob, ScanResult
from gatekeeper.lazy_regex import lazy
from gatekeeper.models import FileChange, Finding, ScannerStat, Severity, display_path, is_zero
from gatekeeper.sanitize import visible
from gatekeeper.scan.added_lines import DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_FILE_LINES, FilePatch, iter_commit_additions
from gatekeeper.scan.attributes import ATTRIBUTE, FILE, attribute_files, checkout_bytes, python_codec
from gatekeeper.scan.code_text import FileContext, rust_test_lines
from gatekeeper.scan.common import built_in_detector, inline_ignores, tool_failure
from gatekeeper.scan.secrets import CI_DEFINITION, DOCUMENTATION_PAGE, SecretDetector, SecretHit, whole_key
from gatekeeper.scan.text import (
    Decoded,
    decode,
    decode_python_source,
    head_holds_declarations,
    lfs_pointer,
    python_source_encoding,
    python_source_encodings,
)
from gatekeeper.scan.workspace import GITLINK_MODE, Skip

if TYPE_CHECKING:
    from gatekeeper.scan.validation import Validator

NAME = "secrets"
COMMIT_MESSAGE = "<commit message>"
TAG_MESSAGE = "<tag message>"
COMMIT_HEADER = "<commit header>"
TAG_HEADER = "<tag header>"
REF_NAME = "<ref name>"
REF_FIX = ("push under another name (and delete the ref if it already exists) and revoke or rotate the credential: "
           "a ref name is stored in the repository and shown to everyone who fetches")
HEADER_FIX = ("rewrite the commit or re-create the tag without it (author, committer, tagger and every other header "
              "are stored in the object) and revoke or rotate the credential: a pushed object stays in history")
PATH_FIX = ("rename the file in every commit of the change (rewrite them: a path stays in history) and revoke or "
            "rotate the credential")
# Header fields that are not free text: the object ids git itself checks. Signature blocks (`gpgsig`,
# `gpgsig-sha256`, a `mergetag`'s) are scanned: nothing checks that they hold a signature, so a pusher can
# hide a key there; 4,141 real signatures (runc, golang/net, github-mcp-server, aider) gave no match.
_ID_HEADERS = frozenset({b"tree", b"parent", b"object", b"type"})
MAX_HEADER_BYTES = 1024 * 1024
MESSAGE_FIX = ("rewrite the message (`git commit --amend`, `git rebase -i` with reword, or re-create the tag) and "
               "revoke or rotate the credential: a pushed message stays in history")
# Binary key stores: no rule can read them, so their names are the hint (PKCS#12, JKS, JCEKS, BKS).
KEYSTORE_SUFFIXES = (".p12", ".pfx", ".jks", ".jceks", ".keystore", ".bks")
FIX = ("remove the secret from every commit of the change (rewrite them: deleting it in a later commit leaves it "
       "in history) and revoke or rotate the credential")


LOOSE_FIX = ("do not push refs that name blobs or trees holding credentials (delete the ref), and revoke or rotate the "
             "credential")


# Object types that are never a file's content: one at a file path is a malformed tree (Skip "not-a-blob").
_NOT_CONTENT = frozenset({"tree", "commit", "tag"})


class SecretsScanner:

    per_commit = True  # scans each commit's own added lines: the range head does not matter
    name = NAME

    def __init__(self, *, detector: SecretDetector | None = None, rules_path: Path | None = None,
                 max_file_bytes: int = DEFAULT_MAX_FILE_BYTES, max_file_lines: int = DEFAULT_MAX_FILE_LINES,
                 settings: SecretsSettings | None = None, reader: Callable[[Path], str | None] | None = None,
                 validate: bool = False, validator: Validator | None = None) -> None:
        self._detector = detector
        self.rules_path = rules_path
        self.settings = settings or SecretsSettings()
        self.reader = reader
        self.validate = validate
        self.validator = validator
        self._live: dict[int, SecretHit] = {}
        self._pending: list[Finding] = []
        self._names: dict[str, str] = {}  # secret value found in a path -> its redacted form
        self._replacer: Replacer | None = None  # redact_text's, for the names as they are
        self.max_file_bytes = max_file_bytes
        self.max_file_lines = max_file_lines

    def detector(self) -> SecretDetector:
        if self._detector is None:
            if self.settings.config is not None:
                from gatekeeper.provenance.source import filesystem_reader
                from gatekeeper.scan.gitleaks import load_detector

                self._detector = load_detector(self.settings.config, self.reader or filesystem_reader,
                                               extend_default=self.settings.extend_default,
                                               default=lambda: SecretDetector.load(self.rules_path))
            else:
                self._detector = SecretDetector.load(self.rules_path)
        return self._detector

    def scan(self, job: ScanJob) -> ScanResult:
        if not job.commits and not job.tags:
            return ScanResult()
        try:
            detector = self.detector()
        except GatekeeperError as exc:
            failure = tool_failure(NAME, exc.message, fix=exc.fix)
            return ScanResult((failure,), ScannerStat(ran=False, error=failure.message))
        modes = _modes(job.changes)
        findings: list[Finding] = []
        binaries: list[tuple[str, FilePatch]] = []
        looked_up: list[tuple[str, FilePatch]] = []  # text files whose head _read_as may need to read
        # Text files with an added value line whose key line the commit kept (a rotated password): _kept_keys.
        under_kept_keys: list[tuple[str, FilePatch]] = []
        # Text files with added key material under a key header the commit did not add (a template's body filled in):
        # _pasted_keys.
        pasted: list[tuple[str, FilePatch, list[int]]] = []
        # Patches whose judgment depended on what a hunk starts inside (a docstring, a template literal): their
        # findings as the added lines alone gave them, until the whole file is read (_in_context).
        unsure: list[tuple[str, FilePatch, list[Finding]]] = []
        changed: list[tuple[str, FilePatch]] = []  # every file a commit writes: .gitattributes may convert it
        files = 0
        stream = iter_commit_additions(job.git, [c.sha for c in job.commits], max_file_bytes=self.max_file_bytes,
                                       max_file_lines=self.max_file_lines)
        cut: str | None = None
        try:
            for commit, patch in stream:
                if job.deadline is not None and time.monotonic() > job.deadline:
                    cut = commit
                    break
                if patch.created:
                    findings.extend(self._path_findings(detector, commit, patch))
                mode = patch.mode or _only(modes.get((commit, patch.key), ()))
                if mode == GITLINK_MODE:
                    continue
                if patch.blob and not patch.deleted:
                    changed.append((commit, patch))
                # A symlink is never followed, but its target is text in the pushed history like any other:
                # its patch line is scanned (a token as a link target lands in history too).
                if patch.path.lower().endswith(KEYSTORE_SUFFIXES):
                    findings.append(self._keystore(commit, patch))
                if patch.binary:
                    binaries.append((commit, patch))
                    continue
                files += 1
                if any("\x00" in text for _, text in patch.added):
                    # git probes only the first 8000 bytes for NUL: UTF-16 after a NUL-free start arrives as
                    # `A\0K\0...` lines no rule matches. Decode the whole file from the object store instead.
                    binaries.append((commit, patch))
                    continue
                if patch.truncated:
                    # More added text than the per-patch cap: the whole file is read from the object store
                    # and scanned below (what is not in a parent's version counts as added).
                    binaries.append((commit, patch))
                if patch.blob and not patch.deleted:
                    looked_up.append((commit, patch))
                    if _lone_values(detector, patch):
                        under_kept_keys.append((commit, patch))
                    if not patch.truncated and (runs := _material_runs(patch)):  # (a truncated one is read whole)
                        pasted.append((commit, patch, runs))
                context = FileContext()
                patch_findings = self._findings(detector, commit, patch, context)
                if patch.blob and not patch.deleted and (context.wanted or (
                        self.settings.tests and _RUST_SOURCE.search(patch.path)
                        and any(not f.suppressed_by for f in patch_findings))):
                    # (A Rust file's finding may sit in its in-file test module, many lines above: read it whole.)
                    unsure.append((commit, patch, patch_findings))
                else:
                    findings.extend(patch_findings)
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()  # stops (and reaps) the git process when we left early
        if cut is not None:
            findings.append(tool_failure(NAME, f"time budget used up; commits from {cut[:12]} on were not "
                                         "scanned for secrets", timeout=True))
        else:
            if under_kept_keys:
                findings.extend(self._kept_keys(job, detector, under_kept_keys))
            if pasted:
                findings.extend(self._pasted_keys(job, detector, pasted))
        findings.extend(self._in_context(job, detector, unsure) if cut is None else
                        [f for _, _, patch_findings in unsure for f in patch_findings])
        if looked_up:
            # A patch that holds its whole file (the new file's size is what its lines from line 1 on make up)
            # shows the head itself: the blob is read only where that head needs it, or where it is not shown.
            sizes = job.git.object_sizes({p.blob for _, p in looked_up if p.blob})
            looked_up = [(c, p) for c, p in looked_up if _read_head(p, sizes.get(p.blob or ""))]
        queued = {id(p) for _, p in binaries}  # a truncated patch is there already
        if looked_up:
            declared, read_as_findings = self._read_as(job, looked_up)
            findings.extend(read_as_findings)
            binaries.extend(d for d in declared if id(d[1]) not in queued)
            queued.update(id(p) for _, p in declared)
        converted: dict[int, tuple[list[str], list[str]]] = {}
        if cut is None:
            converted, reconverted, attribute_findings = self._checkout_encodings(job, changed)
            findings.extend(attribute_findings)
            binaries.extend((c, p) for c, p in [*changed, *reconverted] if id(p) in converted and id(p) not in queued)
        decoded_findings, decoded_files = self._binary_content(job, detector, binaries, converted)
        findings.extend(decoded_findings)
        files += decoded_files - sum(1 for _, p in binaries if not p.binary)
        if cut is None:
            findings.extend(self._message_findings(detector, job))
        if self.validate:
            findings = self._validated(findings)
        self._live.clear()
        findings = _redact_paths(findings, self._names)
        self._names.clear()
        stat = ScannerStat(ran=cut is None, error="time budget exhausted" if cut else None, files=files)
        return ScanResult(tuple(findings), stat, files)

    def scan_blobs(self, git: Git, blobs: Sequence[LooseBlob], deadline: float | None) -> ScanResult:
        """Loose content (blobs a ref names outside any commit): every line of each blob is content the
        push brings. Read from the object store, decoded like a commit's binary-looking files; each blob
        once, reported under the first ref and path that name it."""
        if not blobs:
            return ScanResult()
        try:
            detector = self.detector()
        except GatekeeperError as exc:
            failure = tool_failure(NAME, exc.message, fix=exc.fix)
            return ScanResult((failure,), ScannerStat(ran=False, error=failure.message))
        first: dict[str, LooseBlob] = {}
        for item in blobs:
            if item.blob:  # ("": a directory or a gitlink of a tree, a name only)
                first.setdefault(item.blob, item)
        sizes = git.object_sizes(first)
        findings: list[Finding] = []
        # (A directory's name is read in the paths beneath it; only one with nothing beneath is read on its own.)
        parents = {path[:at] for item in blobs for path in [item.path] for at, c in enumerate(path) if c == "/"}
        for path in dict.fromkeys(item.path for item in blobs if item.path and (item.blob or item.path not in parents)):
            # A tree a ref names brings its names too: a key in a file's, a directory's or a gitlink's name leaks like
            # content.
            hits = detector.scan_text(path, path=path, with_suppressed=True)
            self._names.update((h.value, h.redacted) for h in hits if h.value and not h.suppressed)
            findings.extend(self._finding(hit, None, path, f"{hit.description} {hit.redacted} in the name of a file "
                                          "outside any commit", LOOSE_FIX, in_name=True) for hit in hits)
        encodings = _loose_encodings(git, [item for item in blobs if item.blob])
        scanned = 0
        cut = False
        with git.batch() as reader:
            for blob, item in first.items():
                if deadline is not None and time.monotonic() > deadline:
                    cut = True
                    break
                where = item.path or item.ref
                size = sizes.get(blob) or 0
                kind, data = reader.read(blob, max_size=self.max_file_bytes)
                if kind != "blob" or data is None:
                    reason = "too-large" if kind == "blob" else "not-a-blob" if kind in _NOT_CONTENT else "missing"
                    skip = Skip(where, blob, None, reason, size).finding(NAME, self.max_file_bytes)
                    findings.extend(f for f in [skip] if f is not None)
                    continue
                decoded = decode(data)
                scanned += 1
                for hit, text in decoded_hits(detector, decoded, where):
                    findings.append(self._finding(
                        hit, None, where, f"{hit.description} {hit.redacted} in {item.ref} (blob {blob[:12]}, "
                        "outside any commit)", LOOSE_FIX, inline_ignores(text)))
                # What `git archive <tag>` or `git checkout <tag> -- .` writes under the tree's own
                # working-tree-encoding is read too (red161: an EBCDIC key in a tree a tag names, as red30's in a
                # commit); an encoding whose checkout is not computed here blocks, as in a commit.
                seen = {(h.rule_id, h.digest) for h, _ in decoded_hits(detector, decoded, where)}
                for path, encoding in encodings.get(blob, ()):
                    written = checkout_bytes(data, encoding)
                    if not written:
                        findings.append(catalogue.rule("scan/working-tree-encoding").finding(
                            f"{NAME}: .gitattributes make git write this file of {item.ref} as {encoding} "
                            "(working-tree-encoding), which gatekeeper cannot write as git does: what a checkout "
                            "writes was not scanned and may hold a secret", path=path, severity=Severity.HIGH,
                            fix="keep the file in UTF-8 and drop its working-tree-encoding attribute",
                        ).with_fingerprint(item.ref, path, blob, encoding))
                    for out in written:
                        for hit, text in decoded_hits(detector, decode(out), path):
                            if (hit.rule_id, hit.digest) in seen:
                                continue
                            seen.add((hit.rule_id, hit.digest))
                            findings.append(self._finding(
                                hit, None, path, f"{hit.description} {hit.redacted} in {item.ref} (blob "
                                f"{blob[:12]} as a checkout writes it under working-tree-encoding={encoding}, "
                                "outside any commit)", LOOSE_FIX, inline_ignores(text)))
                if not decoded.complete:
                    partial = Skip(where, blob, None, "binary", size,
                                   note="only its printable text was checked for secrets")
                    findings.extend(f for f in [partial.finding(NAME, self.max_file_bytes)] if f is not None)
        if cut:
            findings.append(tool_failure(NAME, "time budget used up; blobs named outside commits were not all "
                                         "scanned for secrets", timeout=True))
        stat = ScannerStat(ran=not cut, error="time budget exhausted" if cut else None, files=scanned)
        findings = _redact_paths(findings, self._names)
        self._names.clear()
        return ScanResult(tuple(findings), stat, scanned)

    def scan_ref_names(self, refs: Sequence[str]) -> list[Finding]:
        """The names of the refs a push creates or moves are stored in the repository too: a token in
        `refs/heads/AKIA…` leaks like content. Findings name the ref with the secret redacted."""
        if not refs:
            return []
        try:
            detector = self.detector()
        except GatekeeperError as exc:
            return [tool_failure(NAME, exc.message, fix=exc.fix)]
        findings: list[Finding] = []
        for ref in dict.fromkeys(refs):
            for hit in detector.scan_text(ref, path=REF_NAME, with_suppressed=True):
                shown = ref.replace(hit.value, hit.redacted) if hit.value else ref
                if hit.value:
                    self._names[hit.value] = hit.redacted  # redact_text: the verdict's updates and range
                findings.append(self._finding(hit, None, REF_NAME, f"{hit.description} {hit.redacted} in the name of "
                                              f"ref {shown}", REF_FIX, in_name=True))
        return findings

    def _findings(self, detector: SecretDetector, commit: str, patch: FilePatch,
                  context: FileContext | None = None, test_lines: frozenset[int] = frozenset()) -> list[Finding]:
        if not patch.added:
            return []
        hits: list[SecretHit] = detector.scan_lines(patch.added, path=patch.path, with_suppressed=True,
                                                    context=context)
        if not hits:
            return []
        texts = dict(patch.added)
        return [self._finding(hit, commit, patch.path, f"{hit.description} {hit.redacted} added", FIX,
                              inline_ignores(texts.get(hit.line, "")), test_module=hit.line in test_lines)
                for hit in hits]

    def _in_context(self, job: ScanJob, detector: SecretDetector,
                    unsure: list[tuple[str, FilePatch, list[Finding]]]) -> list[Finding]:
        """The patches whose added lines the detector could not judge alone (a hunk inside a Python module's EXAMPLES
        string or a template literal: a value there is text, in code it is a variable), scanned again with the whole
        file they belong to, read in one batch (red113). A file that cannot be read keeps the first judgment."""
        if not unsure:
            return []
        blobs = job.git.read_objects({p.blob for _, p, _ in unsure if p.blob}, max_size=self.max_file_bytes)
        found: list[Finding] = []
        for commit, patch, first in unsure:
            kind, data = blobs.get(patch.blob or "", ("missing", None))
            if kind != "blob" or data is None:
                found.extend(first)
                continue
            whole = FileContext(lines := data.decode("utf-8", "replace").split("\n"))
            tests = rust_test_lines(lines) if self.settings.tests and _RUST_SOURCE.search(patch.path) else frozenset()
            found.extend(self._findings(detector, commit, patch, whole, tests))
        return found

    def _kept_keys(self, job: ScanJob, detector: SecretDetector,
                   patches: list[tuple[str, FilePatch]]) -> list[Finding]:
        """What the rules that read a key's line and its value's next line (next_line: a YAML env list's `- name:`
        and `value:`, a block scalar, a plist key and string) find where the commit wrote the value and kept the key
        line — a rotated password, or a placeholder replaced in a later commit of the push (red110). The key line
        (or lines, as far as a rule reads: a name two lines above its value) is read from the commit's version of the
        file, and so are the kept lines below the value, where an item written value first names it (`- value: …`
        then `name: DB_PASSWORD`: lexgaps); only the value line's finding is reported."""
        blobs = job.git.read_objects({p.blob for _, p in patches if p.blob}, max_size=self.max_file_bytes)
        keywords = detector.next_line_keywords()
        depth = detector.next_line_depth()
        found: list[Finding] = []
        for commit, patch in patches:
            kind, data = blobs.get(patch.blob or "", ("missing", None))
            if kind != "blob" or data is None:
                continue
            lines = data.decode("utf-8", "replace").split("\n")
            texts = dict(patch.added)
            added = patch.line_numbers
            for number in _lone_values(detector, patch):
                if not 1 <= number <= len(lines):
                    continue
                # (A side the commit added was read with the value by _findings already.)
                above = range(max(1, number - depth), number) if number - 1 not in added else range(0)
                keys = [(n, lines[n - 1].rstrip("\r")) for n in above]
                names: list[tuple[int, str]] = []
                for n in range(number + 1, min(number + depth, len(lines)) + 1):
                    if n in added:
                        break
                    names.append((n, lines[n - 1].rstrip("\r")))
                if not any(word in key.lower() for _, key in (*keys, *names) for word in keywords):
                    continue  # (no next_line rule could start on those lines: one scan per value line, not two)
                window = [*keys, (number, texts[number]), *names]
                hits = [h for h in detector.scan_lines(window, path=patch.path, with_suppressed=True)
                        if h.line == number and detector.reads_next_line(h.rule_id)]
                if not hits:
                    continue
                # (A value the line's own rules found is reported already, by _findings.)
                own = {h.column for h in detector.scan_lines([(number, texts[number])], path=patch.path,
                                                             with_suppressed=True)}
                found.extend(self._finding(hit, commit, patch.path, f"{hit.description} {hit.redacted} added", FIX,
                                           inline_ignores(texts[number])) for hit in hits if hit.column not in own)
        return found

    def _pasted_keys(self, job: ScanJob, detector: SecretDetector,
                     patches: list[tuple[str, FilePatch, list[int]]]) -> list[Finding]:
        """Key material a commit added under a key header it did not add: a template committed with its BEGIN and END
        lines and `<paste the key here>` between them, then the real body pasted in (review, nineteenth session). The
        header is looked for in the commit's version of the file above each run of added material, with nothing but
        the block's own lines between (no END line, no other block's BEGIN line, no Markdown fence: _open_headers);
        the detector judges the header with the whole file, as for an added one, and a key it finds is reported on the
        run's first added line, the line that brought it. An END line the commit added under a kept header and kept
        material (the body pasted below a template's END line, that line then moved under it) completes a key the
        same way, and is the line reported; so do lines the commit deleted between a kept header and kept material
        (a fake END line, filler, placeholder lines around a body), reported on the line after them (red141).

        Most files read here hold no key header (every run of added base64 is looked at, and every place lines were
        deleted: red141), and only one that holds one is split into lines. They are read _READ_CHUNK bytes at a time
        (sizes first): a push of many commits each rewriting a large data file held all of them at once (red141)."""
        found: list[Finding] = []
        sizes = job.git.object_sizes({p.blob for _, p, _ in patches if p.blob})
        for chunk in _chunked(patches, lambda item: sizes.get(item[1].blob or "") or 0, _READ_CHUNK):
            blobs = job.git.read_objects({p.blob for _, p, _ in chunk if p.blob}, max_size=self.max_file_bytes)
            for commit, patch, runs in chunk:
                kind, data = blobs.get(patch.blob or "", ("missing", None))
                if kind != "blob" or data is None or not any(header in data for header in _HEADER_BYTES):
                    continue
                text = data.decode("utf-8", "replace")
                marks = _open_headers(text, patch.path)
                lines = text.split("\n")
                added = patch.line_numbers
                texts = dict(patch.added)
                headers: set[int] = set()
                # The END marks whose block was read for a key without a header or written in code: once each, as
                # every run under one reads the same block (red146: a run on every other line of a 120-line block
                # read it 60 times, 9 times the scan's time).
                ended: set[int] = set()
                for first in runs:
                    header = _header_above(marks, first)
                    if header is None:
                        at = bisect.bisect_left(marks, (first, False))
                        if at >= len(marks) or marks[at][0] - first > _HEADER_REACH or at in ended:
                            continue
                        ended.add(at)
                        headless = _headless_block(lines, marks, first)
                        if headless is None:
                            # (A column of equal lines is a key only where the commit wrote the END line; a body
                            # inserted between kept lines is one when it decodes to a whole key: red146.)
                            written = _written_block(lines, marks, first, columns=marks[at][0] in added)
                            if written is None or -written[1] in headers:
                                continue
                            headers.add(-written[1])
                            found.extend(self._written(detector, commit, patch.path, first, written,
                                                     inline_ignores(texts.get(first, ""))))
                            continue
                        if -headless[0] in headers:
                            continue
                        headers.add(-headless[0])
                        end, block = headless
                        hits = [h for h in detector.scan_lines([(1, block[0])], path=patch.path, with_suppressed=True,
                                                               context=FileContext(block)) if h.key_block]
                        found.extend(self._finding(dataclasses.replace(hit, line=first), commit, patch.path,
                                                   f"{hit.description} {hit.redacted} completed by this commit: a "
                                                   f"key's whole body above its END line (line {end}) with no BEGIN "
                                                   "line", FIX, inline_ignores(texts.get(first, "")))
                                     for hit in hits)
                        continue
                    if header in headers:
                        continue
                    headers.add(header)
                    # A header the commit added was read with its body by _findings; one it kept is read here. Either
                    # way the detector reads a body of material lines only: a header that ends its line of code as a
                    # string does (`{ echo "-----BEGIN …-----"`, `f.puts '…'`, `Add-Content -Value "…"`) over lines
                    # of code each writing a piece is read as written in code when the detector found no key there
                    # (red146).
                    end_line = marks[bisect.bisect_left(marks, (first, False))][0] if marks[-1][0] >= first else 0
                    written = _written_block(lines, marks, first, columns=header in added or end_line in added)
                    if header in added and written is None:
                        continue
                    hits = [h for h in detector.scan_lines([(header, lines[header - 1].rstrip("\r"))],
                                                           path=patch.path, with_suppressed=True,
                                                           context=FileContext(lines))
                            if h.key_block]
                    if hits or written is None:
                        found.extend(self._finding(dataclasses.replace(hit, line=first), commit, patch.path,
                                                   f"{hit.description} {hit.redacted} completed by this commit under "
                                                   f"a header that was there, line {header}", FIX,
                                                   inline_ignores(texts.get(first, "")))
                                     for hit in hits if header not in added)
                        continue
                    found.extend(self._written(detector, commit, patch.path, first, written,
                                                     inline_ignores(texts.get(first, ""))))
        return found

    def _written(self, detector: SecretDetector, commit: str, path: str, first: int,
                 written: tuple[int, int, list[str]], ignores: tuple[str, ...]) -> list[Finding]:
        """The key findings of a block _written_block read, reported on line `first` (the run that brought it)."""
        start, end, block = written
        hits = [h for h in detector.scan_lines([(1, block[0])], path=path, with_suppressed=True,
                                               context=FileContext(block)) if h.key_block]
        return [self._finding(dataclasses.replace(hit, line=first), commit, path,
                              f"{hit.description} {hit.redacted} written line by line in code (lines {start} to {end})",
                              FIX, ignores) for hit in hits]

    def _finding(self, hit: SecretHit, commit: str | None, path: str, message: str, fix: str,
                 ignores: tuple[str, ...] = (), *, in_name: bool = False, test_module: bool = False) -> Finding:
        severity = hit.severity
        if hit.rule_id == _CI_RAISED_RULE and severity < Severity.HIGH and CI_DEFINITION.search(path):
            # A literal in a CI definition is read by everyone who can read the repository, and is most often the
            # deployment's own key (red99: a provider key in a workflow's `env:`, where `${{ secrets.… }}` belongs).
            severity = Severity.HIGH
            message += " in a CI definition (use the CI system's secrets store)"
        elif (severity > Severity.MEDIUM and (hit.test_value or hit.example_host) and not hit.verified
              and DOCUMENTATION_PAGE.search(path) and not _DEPLOYED.search(path)):
            # A keyword rule's value in a project's documentation — its docs directory or a README — is the page's
            # example far more often than a leak (netbox's install guide, harbor's, memos' API docs: 30 blocking
            # findings in 4 histories, none a credential): shown as a warning, not blocking; so is a URL's password
            # for an example's host (`db.example.net`, `localhost`, `db`). A runbook elsewhere (`ops/runbook.md`, a
            # page under `deploy/`) and a URL to a real host still block (red135), as do a provider's key format, a
            # checksum-proven token and a private key; policy `secrets.docs` suppresses the rest too.
            severity = Severity.MEDIUM
            message += " in documentation (most often an example: check it, it does not block)"
        finding = Finding(
            rule_id=hit.rule_id, severity=severity, message=message, commit=commit, path=path,
            line=None if in_name else hit.line,
            fix=fix, line_ignores=ignores, suppressed_by=hit.suppressed or self._context(hit, path, test_module),
        ).with_fingerprint(hit.digest)
        if self.validate and not finding.suppressed_by and hit.value:
            self._live[id(finding)] = hit  # the value stays in memory for the identity call only
            self._pending.append(finding)
        return finding

    def _context(self, hit: SecretHit, path: str, test_module: bool = False) -> str:
        """Policy `secrets.docs` / `secrets.fixtures`: such files' findings are recorded as suppressed,
        unless a checksum proves the token machine-made (a real token in a README is still a leak); `secrets.tests`
        and `secrets.vendored` suppress only what is not a provider's key format. `test_module`: the line is in a Rust
        file's in-file test module (code_text.rust_test_lines), test code as a test file's is."""
        # (A Basic header's "verified" says only that it decodes to `user:password`, no checksum: a person writes one
        # as easily — angular.js's own docs comment, vendored by syncthing, meas143 — so where it sits still counts.)
        if (hit.verified and hit.rule_id != _BASIC_RULE) or path in (COMMIT_MESSAGE, TAG_MESSAGE, COMMIT_HEADER,
                                                                     TAG_HEADER):
            return ""
        # (A Basic header whose request names a host on a network is that host's login wherever it sits: a directory
        # called `vendor/` is the pusher's to name, and a dependency's docs example calls no real host — red144.)
        return self._placed(path, provider=hit.provider or (hit.rule_id == _BASIC_RULE and hit.remote_host),
                            key_block=hit.key_block,
                            test_value=hit.test_value or (hit.rule_id == _BEARER_RULE and not hit.remote_host)
                            or (hit.example_host and hit.rule_id in _URL_RULE_IDS), test_module=test_module)

    def _placed(self, path: str, *, provider: bool, key_block: bool, test_value: bool,
                test_module: bool = False) -> str:
        """Why a finding of this kind at `path` is recorded as suppressed by where it is ("" when it is not): the
        policy's docs and fixtures globs, a keyword rule's value in test code, vendored code, a test's key."""
        for globs, kind in ((self.settings.docs, "documentation"), (self.settings.fixtures, "test fixture")):
            if any(glob_match(g, path) for g in globs):
                return f"context: {kind} file (policy secrets.{'docs' if kind == 'documentation' else 'fixtures'})"
        if (test_value and _TEST_SOURCE.search(path) and not _environment_place(path)
                and (test_module or any(glob_match(g, path) for g in self.settings.tests))):
            # (Not in what deploys an environment: a smoke test under `prod/` or `infra/` logs in to it — red138.)
            return ("context: a value in test code (a keyword rule's, a bearer header's, or a URL's password for an "
                    "example's host), not a provider's key format (secrets.tests)")
        deployed = _DEPLOYED.search(path if not _LIBTOOL_SCRIPT.search(path) else path.rpartition("/")[0] + "/")
        if not provider and not deployed and any(glob_match(g, path) for g in self.settings.vendored):
            # A dependency's test keys and example passwords; a provider's key format is a leak wherever it is, and so
            # is anything in what deploys an environment, whatever directory it sits in (red132: a .tfvars under
            # third_party/).
            return "context: vendored third-party code, not a provider's key format (secrets.vendored)"
        if key_block and (self._test_key(path) or (test_module and not _environment_place(path))):
            # A TLS or SSH test's key pair, in its code or its data (traefik: 68 blocking findings in 6,410 commits,
            # every one a test's): generated for the test, as a test's made-up password is.
            return "context: a private key in test code or test data (secrets.tests)"
        return ""

    def _test_key(self, path: str) -> bool:
        """Whether a private key at `path` is a test's: in test source code (secrets.tests and a source
        extension: `tlsmanager_test.go`) or — with the default test globs — in a test-data directory (`tests/`,
        `testdata/`, `__tests__/`, `fixtures/`: a fixtures directory is test data for a key, though not for a
        password, red90). Never in what deploys an environment, whatever its directory is called (red129: `test` is
        an environment's name too: its `.env`, `.tfvars`, scripts and inventories hold its real keys). A policy's own
        `secrets.tests` list names its test files, code or data, itself."""
        tests = self.settings.tests
        if not tests or _environment_place(path):
            return False
        if tests != DEFAULT_TEST_FILES:
            return any(glob_match(g, path) for g in tests)  # the policy's own list names its tests, code or data
        if _TEST_SOURCE.search(path) and any(glob_match(g, path) for g in tests):
            return True
        return _KEY_TEST_DATA.search(path) is not None

    def _validated(self, findings: list[Finding]) -> list[Finding]:
        """Live validation (policy `secrets.validate`): ask the provider who the credential belongs to."""
        from gatekeeper.scan.validation import HttpValidator

        validator = self.validator or HttpValidator()
        verdicts: dict[int, Finding] = {}
        aws_secrets: dict[tuple[str | None, str | None], str] = {}
        for finding in self._pending:
            hit = self._live.get(id(finding))
            if hit is not None and hit.rule_id in ("secrets/aws-secret-key", "secrets/aws-secret-key-pair"):
                aws_secrets.setdefault((finding.commit, finding.path), hit.value)
        for finding in self._pending:
            hit = self._live.get(id(finding))
            if hit is None:
                continue
            value = hit.value
            if hit.rule_id == "secrets/aws-access-key":
                secret = aws_secrets.get((finding.commit, finding.path))
                if secret is None:
                    continue
                value = f"{value}:{secret}"
            status = validator.check(hit.rule_id, value)
            if status is None:
                continue
            verdicts[id(finding)] = dataclasses.replace(
                finding, message=f"{finding.message} [validated: {status}]",
                severity=max(finding.severity, Severity.CRITICAL) if status == "live" else finding.severity)
        self._pending.clear()
        return [verdicts.get(id(f), f) for f in findings]

    def redact_named(self, findings: list[Finding]) -> list[Finding]:
        """`findings` (any scanner's) with every secret in a path they name redacted, in path and message: the
        engine applies it to the other scanners' findings, which name the same paths. The paths are read
        again here rather than trusted to what this run's scan saw: a cached result holds only the redacted
        form, and a path can reach a finding without passing through this scanner at all."""
        return _redact_paths(findings, self._names_in(f.path for f in findings if f.path))

    def redact_text(self, text: str) -> str:
        """`text` with every secret found during this run (in a file's or a ref's name, in the commits' data)
        redacted, a clipped copy of one at its end too."""
        if not self._names:
            return text
        if self._replacer is None or self._replacer.size != len(self._names):
            self._replacer = Replacer(self._names)
        return redact_shown(self._replacer, text)

    def redact_paths(self, paths: Sequence[str]) -> list[str]:
        """`paths` the verdict lists outside any finding (the paths an agent wrote, from Agent Trace or git-ai
        records; the names of refs a push deletes) with every secret in them redacted, read again like a
        finding's path: a record may name a path no commit of this run added, and a deleted ref's name is not
        scanned as content. What is found joins this run's names (redact_text, redact_named)."""
        names = self._names_in(paths)
        for value, redacted in names.items():
            self._names.setdefault(value, redacted)
        if not names:
            return list(paths)
        replace = Replacer(names)
        return [redact_shown(replace, path) for path in paths]

    def redact_strings(self, texts: Iterable[str]) -> dict[str, str]:
        """`texts` — commit data the verdict shows: subjects, messages, names and e-mails, trailer values,
        device ids, evidence — with every secret in them redacted. Read again here, whatever this run's scan
        saw (a time budget can cut it short, a scan cache holds only redacted forms, a policy can turn the
        scanner off), in one pass of the rules over them all (secrets_in: each text on its own, a private key's
        material included). What is found joins this run's names (redact_text,
        redact_named), so a finding's message that quotes a subject is redacted too. Returns what it found:
        each secret → its redacted form (empty for almost every push: nothing to replace)."""
        wanted = sorted({t for t in texts if t})
        found: dict[str, str] = {}
        if wanted:
            try:
                detector = self.detector()
            except GatekeeperError:
                detector = SecretDetector.load(self.rules_path)  # the built-in rules: redaction must not fail
            found = secrets_in(detector, wanted)
            for value, redacted in found.items():
                self._names.setdefault(value, redacted)
        return found

    def _names_in(self, paths: Iterable[str]) -> dict[str, str]:
        """Every secret value to redact in `paths`: this run's names, and what the rules find in the paths."""
        names = dict(self._names)
        wanted = {p for p in paths if p and not (p.startswith("<") and p.endswith(">"))}
        wanted |= {visible(p) for p in wanted}  # a name split by a hidden character is shown joined
        if wanted:
            try:
                detector = self.detector()
            except GatekeeperError:
                detector = SecretDetector.load(self.rules_path)  # the built-in rules: redaction must not fail
            for path in sorted(wanted):
                for hit in detector.scan_text(path, path=path, with_suppressed=True):
                    if hit.value:
                        names.setdefault(hit.value, hit.redacted)
        return names

    def _path_findings(self, detector: SecretDetector, commit: str, patch: FilePatch) -> list[Finding]:
        """A path the commit creates is a name in the pushed tree: `keys/AKIA....txt` leaks like content."""
        name = patch.key.decode("utf-8", "replace")
        hits = _scan_text_shown(detector, name, patch.path)
        for hit in hits:
            if hit.value and not hit.suppressed:
                self._names[hit.value] = hit.redacted
        return [self._finding(hit, commit, patch.path, f"{hit.description} {hit.redacted} in the name of a file added",
                              PATH_FIX, in_name=True)
                for hit in hits]

    def _header_findings(self, detector: SecretDetector, raw: bytes, where: str, commit: str | None,
                         what: str) -> list[Finding]:
        return [self._finding(hit, commit, where, f"{hit.description} {hit.redacted} in the header of {what} "
                              f"(line {hit.line})", HEADER_FIX)
                for hit in _scan_text_shown(detector, header_text(raw), where)]

    @staticmethod
    def _header_skip(where: str, commit: str | None, what: str) -> Finding:
        return catalogue.rule("scan/file-too-large").finding(
                       f"{NAME}: {what} is over {MAX_HEADER_BYTES} bytes (or could not be read); its header was "
                       "not scanned", commit=commit, path=where, fix="review the object by hand (`git cat-file -p`)",
                       ).with_fingerprint(where, commit or what, "too-large")

    def _message_findings(self, detector: SecretDetector, job: ScanJob) -> list[Finding]:
        """Secrets in the commits' messages and headers, and in the annotated tags the updates move."""
        findings = []
        objects = job.git.read_objects((c.sha for c in job.commits), max_size=MAX_HEADER_BYTES)
        headers: list[tuple[str, str]] = []
        messages: list[tuple[str, str]] = []
        for commit in job.commits:
            _kind, raw = objects.get(commit.sha, ("missing", None))
            if raw is None:
                findings.append(self._header_skip(COMMIT_HEADER, commit.sha, "the commit"))
                messages.append((commit.sha, commit.message))
            else:
                stored_header = header_text(raw)
                headers.append((commit.sha, stored_header))
                # From the object, not `git log`: a NUL in a message ends what git log prints. And as git
                # shows it too, where that differs: git converts a commit from the encoding its header names,
                # identities included (red20, red21: a Latin-1 soft hyphen is U+FFFD read as UTF-8, and
                # nothing where git shows it); and as the named encoding reads where git shows nothing (EBCDIC).
                stored = message_text(raw)
                messages.append((commit.sha, stored))
                for shown in (commit.message, declared_text(raw)):
                    if shown and shown != stored:
                        messages.append((commit.sha, shown))
                shown_ids = "\n".join(f"{role} {p.name} <{p.email}>" for role, p in
                                      (("author", commit.author), ("committer", commit.committer)))
                if any(line not in stored_header for line in shown_ids.split("\n")):
                    headers.append((commit.sha, shown_ids))
        seen: set[tuple[str, str]] = set()
        for sha, local, hit in _scan_shown(detector, messages, COMMIT_MESSAGE):
            if (sha, hit.value) in seen:
                continue  # the same secret read in both forms of one message
            seen.add((sha, hit.value))
            findings.append(self._finding(
                hit, sha, COMMIT_MESSAGE,
                f"{hit.description} {hit.redacted} in the commit message (line {local})", MESSAGE_FIX))
        for sha, local, hit in _scan_shown(detector, headers, COMMIT_HEADER):
            if (sha, hit.value) in seen:
                continue
            seen.add((sha, hit.value))
            findings.append(_signature_noise(self._finding(
                hit, sha, COMMIT_HEADER, f"{hit.description} {hit.redacted} in the commit's header (line {local})",
                HEADER_FIX), objects[sha][1], local))
        tags_seen: set[str] = set()
        for ref, sha in job.tags:
            for tag, raw_tag in job.git.tag_objects(sha):
                if tag in tags_seen:
                    continue
                tags_seen.add(tag)
                message = message_text(raw_tag)
                findings.extend(self._header_findings(detector, raw_tag, TAG_HEADER, None,
                                                      f"tag {ref} (tag object {tag[:12]})"))
                for hit in _scan_text_shown(detector, message, TAG_MESSAGE):
                    findings.append(self._finding(
                        hit, None, TAG_MESSAGE,
                        f"{hit.description} {hit.redacted} in the message of tag {ref} (tag object {tag[:12]}, "
                        f"line {hit.line})", MESSAGE_FIX))
        return findings

    def _checkout_encodings(self, job: ScanJob, changed: list[tuple[str, FilePatch]]
                            ) -> tuple[dict[int, tuple[list[str], list[str]]], list[tuple[str, FilePatch]],
                                       list[Finding]]:
        """For each file whose checkout a commit changes under a `working-tree-encoding`, by id() of its patch: (the
        encoding git gives it in the commit, the one it gave it in the first parent) — git's own answer
        (Git.checkout_attribute; red31: a matcher of our own missed six of git's rules). Also the patches made
        here for files the commit does not write but whose checkout it changes (returned to be read).

        What a commit changes is taken against its first parent: its patches, and for a merge its first-parent
        diff (a side's .gitattributes and another side's file meet only in the merge, red31/red32). A commit that
        writes or deletes a `.gitattributes` may change the encoding of every file beneath it (a merge that
        brings it, a deleted or rewritten override, red32): git is asked about all of them, in the commit and in
        its first parent, and a file counts where the answer changed or its blob did — at most RECONVERTED_CAP
        files a push does not write (past it, a finding that blocks). Any other commit leaves every file's
        attributes as its parent had them: git is asked about the files it writes, where a `.gitattributes` git
        reads for one names the attribute (one `cat-file --batch-check` finds which exist), or for a path git
        cannot be asked about by name (a newline in it)."""
        findings: list[Finding] = []
        git = job.git
        first = {c.sha: c.parents[0] if c.parents else None for c in job.commits}
        merges = {c.sha for c in job.commits if len(c.parents) > 1}
        writes: dict[str, dict[str, FilePatch]] = {}
        attributes: dict[str, set[str]] = {}  # commit → directories whose .gitattributes it writes or deletes
        for commit, items in job.changes.items():
            for change in items if commit not in merges else ():
                name = change.key.decode("utf-8", "surrogateescape")
                if name.rsplit("/", 1)[-1] == FILE:  # added, changed, deleted or turned into something else
                    attributes.setdefault(commit, set()).add(name[: -len(FILE)].rstrip("/"))
        for commit, patch in changed:
            if commit not in merges:  # a merge's combined diff: its first-parent one below stands for it
                writes.setdefault(commit, {})[_name(patch)] = patch
        shown = {(commit, _name(patch)): patch for commit, patch in changed if commit in merges}
        for commit, raw, old, new, old_mode, mode in git.first_parent_changes(sorted(merges)) if merges else ():
            name = raw.decode("utf-8", "surrogateescape")
            if name.rsplit("/", 1)[-1] == FILE:
                attributes.setdefault(commit, set()).add(name[: -len(FILE)].rstrip("/"))
            if is_zero(new) or mode in ("120000", GITLINK_MODE):
                continue
            # A link or a submodule turned into a file is new content, whatever its blob (red33: git never
            # converts a link, so the same bytes as a link's target were never written through the attribute).
            was_file = not is_zero(old) and old_mode not in ("120000", GITLINK_MODE)
            writes.setdefault(commit, {})[name] = shown.get((commit, name)) or FilePatch(
                display_path(raw), new, mode, raw=raw, old_blobs=(old,) if was_file else ())
        # Which .gitattributes name the attribute: those git reads for each written file, and for a changed
        # .gitattributes its own old and new version and those above it (a macro is defined in the root's).
        others = [(commit, patch) for commit, patches in writes.items() if commit not in attributes
                  for patch in patches.values()]
        wanted = {(commit, name) for commit, patches in writes.items() for patch in patches.values()
                  for name in attribute_files(_name(patch))}
        for commit, directories in attributes.items():
            for rev in (commit, first.get(commit)):
                wanted.update((rev, name) for d in directories for name in attribute_files(f"{d}/{FILE}".lstrip("/"))
                              if rev is not None)
        present = git.blobs_at(wanted) if wanted else {}
        read = git.read_objects(set(present.values()), max_size=self.max_file_bytes) if present else {}
        naming = {blob for blob, (_, data) in read.items() if data is None or ATTRIBUTE.encode() in data}
        asked: dict[str, dict[str, FilePatch]] = {}
        beneath: dict[str, set[int]] = {}  # commit → ids of the files asked about that it does not write
        for commit, directories in attributes.items():
            revs = (commit, first.get(commit))
            relevant = [d for d in sorted(directories)
                        if any(present.get((rev, name)) in naming for rev in revs if rev is not None
                               for name in attribute_files(f"{d}/{FILE}".lstrip("/")))]
            files = dict(writes.get(commit, {}))
            for directory in relevant:
                for entry in git.entries_beneath(commit, directory):
                    name = entry.raw.decode("utf-8", "surrogateescape")
                    if name in files or entry.type != "blob" or entry.mode == "120000":
                        continue
                    files[name] = FilePatch(entry.path, entry.sha, entry.mode, raw=entry.raw, old_blobs=(entry.sha,))
                    beneath.setdefault(commit, set()).add(id(files[name]))
            if relevant:
                asked[commit] = files
            else:
                others.extend((commit, patch) for patch in files.values())
        for commit, patch in others:
            name = _name(patch)
            if "\n" in name or "\r" in name or any(present.get((commit, f)) in naming for f in attribute_files(name)):
                asked.setdefault(commit, {})[name] = patch
        # git's answers. A commit that changed no .gitattributes gives each file its parent's attributes: the
        # files of all such commits whose .gitattributes (those git reads for them) are the same blobs are asked
        # about at once, from an index of only those files — not a read-tree of a large tree per commit (red34: a
        # 150-commit push into a 20,000-file tree ran out the hook's time). Only a commit that changed one, or a
        # path git cannot be asked about by name, has its tree read whole (and its first parent's).
        answers: dict[tuple[str, bytes], tuple[list[str], list[str]]] = {}
        states: dict[frozenset[tuple[bytes, str]], list[tuple[str, bytes]]] = {}
        whole: dict[str, list[bytes]] = {}
        for commit, files in asked.items():
            for patch in files.values():
                name = _name(patch)
                if commit in attributes or "\n" in name or "\r" in name:
                    whole.setdefault(commit, []).append(patch.key)
                    continue
                state = frozenset((f.encode("utf-8", "surrogateescape"), blob) for f in attribute_files(name)
                                  if (blob := present.get((commit, f))) is not None)
                states.setdefault(state, []).append((commit, patch.key))
        for state, group in states.items():
            if job.deadline is not None and time.monotonic() > job.deadline:
                break
            now = _answer(git, dict(state), list(dict.fromkeys(key for _, key in group)))
            for commit, key in group:
                answers[(commit, key)] = (now.get(key, []), now.get(key, []))
        for commit, keys in whole.items():
            if job.deadline is not None and time.monotonic() > job.deadline:
                break
            parent = first.get(commit)
            now = _answer(git, commit, keys)
            before = now if commit not in attributes else _answer(git, parent, keys) if parent else {}
            for key in keys:
                answers[(commit, key)] = (now.get(key, []), before.get(key, []))
        found: dict[int, tuple[list[str], list[str]]] = {}
        budget = RECONVERTED_CAP
        for commit, files in asked.items():
            for patch in files.values():
                if (commit, patch.key) not in answers:
                    findings.append(tool_failure(NAME, "time budget used up; the working-tree-encoding of "
                                                 f"{sum(len(f) for f in asked.values()) - len(answers)} file(s) "
                                                 "was not checked", timeout=True))
                    return found, [], findings
                new_encodings, old_encodings = answers[(commit, patch.key)]
                if not new_encodings or (new_encodings == old_encodings and patch.blob in patch.old_blobs):
                    continue
                if id(patch) in beneath.get(commit, ()):
                    # Re-encoded without being written: read up to the cap, then one finding that blocks.
                    budget -= 1
                    if budget == -1:
                        findings.append(_checkout_finding(commit, patch, [_TOO_MANY]))
                    if budget < 0:
                        continue
                found[id(patch)] = (new_encodings, old_encodings)
        mine = {id(patch) for _, patch in changed}
        made = [(c, p) for c, files in asked.items() for p in files.values() if id(p) in found and id(p) not in mine]
        return found, made, findings

    def _binary_content(self, job: ScanJob, detector: SecretDetector, binaries: list[tuple[str, FilePatch]],
                        converted: Mapping[int, tuple[list[str], list[str]]] | None = None
                        ) -> tuple[list[Finding], int]:
        """What git showed as binary, read from the object store and decoded (scan.text): UTF-16/32 and
        text with NUL bytes are scanned like any text, a real binary's printable runs too (and it is still
        reported as not scanned); a secret counts as added when no parent's version of the file has it.
        Blobs over the size cap are scanned up to it, and reported as not scanned (scan/file-too-large)."""
        if not binaries:
            return [], 0
        wanted = {p.blob for _, p in binaries if p.blob} | {b for _, p in binaries for b in p.old_blobs}
        sizes = job.git.object_sizes(wanted)
        findings: list[Finding] = []
        scanned = 0
        seen_in: dict[tuple[str, ...], frozenset[tuple[str, str]]] = {}  # (blob, its encoding) → its secrets
        wrong_type: set[str] = set()  # objects at a file path that are a tree, commit or tag (a malformed tree)
        with job.git.batch() as reader:

            def hits_of(blob: str, path: str, encodings: Sequence[str] = ()
                        ) -> tuple[list[tuple[SecretHit, str]], Decoded | None, bool, list[str]]:
                """(hits, the decoding, whether git-lfs takes the blob for a pointer, the `encodings` under which a
                checkout writes other text than the blob or that cannot be converted)."""
                # A blob over the cap is read up to it (red55: a key on the first line of a file padded one byte
                # past the cap was never looked at); the rest is reported as not scanned.
                kind, _size, data = reader.read_head(blob, self.max_file_bytes)
                if kind != "blob" or data is None:
                    if kind in _NOT_CONTENT:
                        wrong_type.add(blob)
                    return [], None, False, []
                # Source that declares its encoding is read as declared too (never a binary: Python refuses NULs).
                declared = python_source_encodings(data) if b"\x00" not in data else []
                decoded = decode_python_source(data, declared) if declared else decode(data)
                hits = decoded_hits(detector, decoded, path)
                # What a checkout writes under a working-tree-encoding is read too (red30: EBCDIC hid a key).
                differ: list[str] = []
                seen = {(h.rule_id, h.digest) for h, _ in hits}
                for encoding in encodings:
                    written = checkout_bytes(data, encoding)
                    if not written:
                        differ.append(encoding)
                    for out in written:
                        # As the encoding reads it, and as its bytes read with no regard to it — a byte-order mark
                        # followed by ASCII is what a program that ignores the mark reads (red34: UTF-16LE-BOM,
                        # ASCII after the mark: the encoding's reading is the blob's CJK text again).
                        reading = decode(out)
                        raw = out.replace(b"\x00", b"").decode("utf-8", "replace")
                        # Whether it says something else: the checkout as its own encoding reads it (red35: Latin-1
                        # `café` read as UTF-8 is no other text), and the ASCII its bytes show.
                        other = _own_reading(out, encoding, reading) != decoded.text or any(
                            r not in decoded.text for r in _ASCII_RUN.findall(raw))
                        if other and encoding not in differ:
                            differ.append(encoding)
                        for hit, line in [*decoded_hits(detector, reading, path),
                                          *decoded_hits(detector, Decoded(raw, "its bytes", True), path)]:
                            if (hit.rule_id, hit.digest) not in seen:
                                seen.add((hit.rule_id, hit.digest))
                                hits.append((hit, line))
                # git-lfs reads a blob's first 1 KiB whatever follows (red28: a NUL after it sent the pointer here).
                return hits, decoded, lfs_pointer(data), differ

            for index, (commit, patch) in enumerate(binaries):
                if job.deadline is not None and time.monotonic() > job.deadline:
                    findings.append(tool_failure(NAME, f"time budget used up; {len(binaries) - index} file(s) git "
                                                 "shows as binary or too long were not scanned for secrets",
                                                 timeout=True))
                    findings.extend(self._cut(c, p) for c, p in binaries[index:] if not p.binary)
                    break
                size = sizes.get(patch.blob or "") or 0
                over = size > self.max_file_bytes
                if not patch.blob or over:
                    note = f"only its first {self.max_file_bytes} bytes were checked for secrets" if patch.blob else ""
                    skip = Skip(patch.path, patch.blob or "", commit, "too-large", size, note=note)
                    findings.extend(f for f in [skip.finding(NAME, self.max_file_bytes)] if f is not None)
                    if not patch.binary:
                        findings.append(self._cut(commit, patch))
                    if not patch.blob:
                        continue
                # Each blob read as a checkout writes it under the encoding of its own tree: the commit's for the new
                # one, the first parent's for the old ones (red32: the old blob read under the new attribute spelled
                # the same key, which then counted as there before).
                encodings, earlier = (converted or {}).get(id(patch), ([], []))
                hits, decoded, pointer, differ = hits_of(patch.blob, patch.path, encodings)
                if pointer and (patch.binary or not patch.truncated):  # a truncated text patch: _read_as says it
                    findings.append(_lfs_finding(commit, patch))
                if differ:
                    findings.append(_checkout_finding(commit, patch, differ))
                if decoded is None:
                    if over:
                        continue  # said above
                    # red67: a tree filed as a file (git shows it as binary) is not "unreadable": it is a malformed
                    # tree a pusher made, and blocks, as an object missing from the push does.
                    skip = Skip(patch.path, patch.blob, commit,
                                "not-a-blob" if patch.blob in wrong_type else "missing", size)
                    findings.extend(f for f in [skip.finding(NAME, self.max_file_bytes)] if f is not None)
                    if not patch.binary:
                        findings.append(self._cut(commit, patch))
                    continue
                scanned += 1
                before: set[tuple[str, str]] = set()
                # What a parent's checkout wrote: each parent's blob as it is, and the first parent's under its
                # encoding — never another parent's blob under the first's (red33: a conflict resolution kept a
                # side's blob that only the first parent's attribute spells as a key).
                for index, old in enumerate(patch.old_blobs):
                    read_as = earlier if index == 0 else []
                    if (old, *read_as) not in seen_in:
                        seen_in[(old, *read_as)] = frozenset(
                            (h.rule_id, h.digest) for h, _ in hits_of(old, patch.path, read_as)[0])
                    before |= seen_in[(old, *read_as)]
                for hit, text in hits:
                    if (hit.rule_id, hit.digest) in before:
                        continue  # already in a parent's version: not added by this commit
                    findings.append(self._finding(
                        hit, commit, patch.path, f"{hit.description} {hit.redacted} added" + (
                            f" ({decoded.encoding})" if decoded.encoding != "utf-8" else ""), FIX,
                        inline_ignores(text)))
                if not decoded.complete and not over:
                    skip = Skip(patch.path, patch.blob, commit, "binary", size,
                                note="only its printable text was checked for secrets")
                    findings.extend(f for f in [skip.finding(NAME, self.max_file_bytes)] if f is not None)
        return findings, scanned

    def _read_as(self, job: ScanJob, patches: list[tuple[str, FilePatch]]
                 ) -> tuple[list[tuple[str, FilePatch]], list[Finding]]:
        """Files whose bytes are not what a program reads from them, found from the head of each file's blob: a
        source whose PEP 263 declaration names an encoding that reads ASCII differently (red24: `# coding:
        utf-7` makes `+AEE-KIA…` an AWS key and `+AGUAdgBhAGw-(cmd)` an `eval`; whatever the file's name or `#!`
        line, red25) — returned to be decoded as declared and scanned again, and reported (scan/source-encoding:
        the other scanners read its bytes); and a Git LFS pointer, whose content lives in an LFS store the push
        does not carry (scan/lfs-content). Both follow the policy's `unscanned`."""
        declared: list[tuple[str, FilePatch]] = []
        findings: list[Finding] = []
        with job.git.batch() as reader:
            for index, (commit, patch) in enumerate(patches):
                if job.deadline is not None and time.monotonic() > job.deadline:
                    findings.append(tool_failure(NAME, f"time budget used up; {len(patches) - index} file(s) were "
                                                 "not checked for a coding declaration or an LFS pointer",
                                                 timeout=True))
                    break
                assert patch.blob is not None
                kind, size, head = reader.read_head(patch.blob, _HEAD_BYTES)
                if head is not None and size > len(head) and not head_holds_declarations(head):
                    kind, size, head = reader.read_head(patch.blob, self.max_file_bytes)  # first lines over 64 KiB
                if kind != "blob" or head is None:
                    continue  # missing: reported elsewhere
                if lfs_pointer(head):
                    findings.append(_lfs_finding(commit, patch))
                if b"\x00" in head:
                    continue  # no Python source: CPython refuses NUL bytes
                encodings = python_source_encodings(head, partial=size > len(head))
                if encodings:
                    declared.append((commit, patch))
                    named = ", ".join(encodings)
                    findings.append(catalogue.rule("scan/source-encoding").finding(
                        f"{NAME}: this file declares `coding: {named}`, under which Python reads other characters "
                        "than its bytes show; secrets were looked for in its bytes and in every reading Python "
                        "makes of it, semgrep and bandit read only the bytes", commit=commit, path=patch.path,
                        fix="save the file as UTF-8 and drop the coding declaration, or review it by hand",
                    ).with_fingerprint(patch.path, patch.blob, named))
        return declared, findings

    def _keystore(self, commit: str, patch: FilePatch) -> Finding:
        """A Java keystore or PKCS#12 bundle: binary, so no rule reads it, but it holds private keys — recorded as
        suppressed where a private key block would be (a test's, a dependency's, the policy's docs or fixtures), and
        for Visual Studio's `<Project>_TemporaryKey.pfx`, the throwaway certificate it generates to sign a store
        app's local builds (JamesNK/Newtonsoft.Json: 5 blocking findings)."""
        path = patch.path
        reason = ("context: Visual Studio's generated temporary signing certificate (<Project>_TemporaryKey.pfx)"
                  if _VS_TEMPORARY_KEY.search(path) else
                  self._placed(path, provider=False, key_block=True, test_value=False))
        return dataclasses.replace(catalogue.rule("secrets/keystore-file").finding(
            "Java keystore / PKCS#12 file added (it holds private keys; its password is often next to it)",
            commit=commit, path=path, fix=FIX,
        ), suppressed_by=reason).with_fingerprint(patch.blob or path, "keystore")

    def _cut(self, commit: str, patch: FilePatch) -> Finding:
        """A patch cut at the per-file cap whose whole file could not be read either."""
        return catalogue.rule("scan/diff-too-large").finding(
            f"{NAME}: only the first {self.max_file_bytes} bytes / {self.max_file_lines} lines this commit added "
            "to the file were scanned", commit=commit, path=patch.path,
            fix="keep generated or vendored files out of the change, or review the rest by hand",
        ).with_fingerprint(patch.path, patch.blob or "", "truncated")


# What _read_as reads of a blob: the first two lines a coding declaration may be on, and the 1 KiB git-lfs reads.
_HEAD_BYTES = 64 * 1024


def _own_reading(out: bytes, encoding: str, decoded: Decoded) -> str:
    """A checkout's bytes as the encoding it was written in reads them (UTF-16/32: as decode() read their mark)."""
    codec = python_codec(encoding)
    if codec is None or codec.startswith(("utf-16", "utf-32")):
        return decoded.text
    return out.decode(codec, "replace")


_ASCII_RUN = lazy(r"[\x20-\x7e]{8,}")  # a run of printable ASCII a checkout's bytes show


def _loose_encodings(git: Git, blobs: Sequence[LooseBlob]) -> dict[str, list[tuple[str, str]]]:
    """Blob id → (path, encoding) for each file of a tree a ref names that a checkout of that tree writes under a
    `working-tree-encoding` of the tree's own `.gitattributes` (git's answer: check-attr on the tree, whatever the
    name of the file that spells it: a clone on macOS reads `.GitAttributes` too). Two processes a tree (rare)."""
    by_tree: dict[str, list[LooseBlob]] = {}
    for item in blobs:
        if item.tree and item.raw:
            by_tree.setdefault(item.tree, []).append(item)
    found: dict[str, list[tuple[str, str]]] = {}
    for tree, items in by_tree.items():
        answers = _answer(git, tree, [i.raw for i in items])
        for i in items:
            for encoding in answers.get(i.raw, []):
                if (i.path, encoding) not in found.get(i.blob, []):
                    found.setdefault(i.blob, []).append((i.path, encoding))
    return found


def _answer(git: Git, rev: str | Mapping[bytes, str], keys: list[bytes]) -> dict[bytes, list[str]]:
    """git's `working-tree-encoding`s for each path at `rev` (a commit, or its .gitattributes files) as a clone on
    Linux and one on macOS or Windows (core.ignorecase) matches patterns: both, where they differ (red33: `*.ENV`;
    red34: a case-folded line overriding the Linux one)."""
    exact = git.checkout_attribute(rev, keys, ATTRIBUTE)
    folded = git.checkout_attribute(rev, keys, ATTRIBUTE, ignore_case=True)
    return {key: list(dict.fromkeys(e for e in (_encoding(exact.get(key)), _encoding(folded.get(key))) if e))
            for key in keys}


def _encoding(value: str | None) -> str | None:
    """A `working-tree-encoding` value check-attr printed, or None where git writes the blob as it is."""
    if value is None or value in ("unspecified", "set", "unset") or value.lower() in ("utf-8", "utf8"):
        return None
    return value


def _name(patch: FilePatch) -> str:
    """A patch's path as git names it, its bytes kept (display_path escapes a backslash and bytes that are not
    UTF-8; a `commit:path` lookup and gitattributes patterns need the path itself)."""
    return patch.key.decode("utf-8", "surrogateescape")


RECONVERTED_CAP = 2000  # files a pushed .gitattributes re-encodes without the push writing them, read per push
_TOO_MANY = "(too many files)"


def _checkout_finding(commit: str, patch: FilePatch, encodings: list[str]) -> Finding:
    """scan/working-tree-encoding. Under an encoding whose checkout is not computed here (one Python has no
    codec for, or writes otherwise than iconv: UTF-7, ISO-2022) the checkout may spell a secret nobody read: the
    finding then has a secret's severity (high), and blocks whatever device the commit came from."""
    named = ", ".join(encodings)
    unknown = [e for e in encodings if not checkout_bytes(b"", e)]
    if encodings == [_TOO_MANY]:
        message = (f"{NAME}: this .gitattributes gives a working-tree-encoding to more than {RECONVERTED_CAP} files "
                   "the push does not write; the rest were not scanned as a checkout writes them")
    elif unknown:
        message = (f"{NAME}: .gitattributes make git check this file out as {', '.join(unknown)} "
                   "(working-tree-encoding), which gatekeeper cannot write as git does: what a checkout writes was "
                   "not scanned and may hold a secret")
    else:
        message = (f"{NAME}: .gitattributes make git check this file out as {named} (working-tree-encoding), under "
                   "which a checkout writes other text than the blob: secrets were looked for in both, semgrep and "
                   "bandit read only the blob")
    return catalogue.rule("scan/working-tree-encoding").finding(
        message, commit=commit, path=patch.path, severity=Severity.HIGH if unknown else None,
        fix="keep the file in UTF-8 and drop its working-tree-encoding attribute, or review the checked-out file "
            "by hand",
    ).with_fingerprint(patch.path, patch.blob or "", named)


def _lfs_finding(commit: str, patch: FilePatch) -> Finding:
    return catalogue.rule("scan/lfs-content").finding(
        f"{NAME}: a Git LFS pointer: the file's content is in an LFS store, not in the push, and was not scanned",
        commit=commit, path=patch.path,
        fix="review the LFS object by hand (`git lfs pull` then scan it), or commit the file to git",
    ).with_fingerprint(patch.path, patch.blob or "", "lfs")


def _read_head(patch: FilePatch, size: int | None) -> bool:
    """Whether _read_as must read the head of a text file's blob: always, unless the patch holds the whole file
    and its first lines show neither a coding declaration that changes what the file says nor an LFS pointer.
    A patch holds the whole file when its added lines run from line 1 without a gap and, read back losslessly,
    make up the blob's size. Otherwise the blob is read whatever lines the patch touched: a declaration or a
    pointer can be made by changing a `#!` line or by deleting a line (red25)."""
    head = _whole_file(patch, size)
    return head is None or python_source_encoding(head) is not None or lfs_pointer(head)


def _whole_file(patch: FilePatch, size: int | None) -> bytes | None:
    added = patch.added
    if patch.truncated or size is None or not added or added[0][0] != 1 or added[-1][0] != len(added):
        return None
    text = "\n".join(line for _, line in added)
    if "\ufffd" in text:
        return None  # not read back losslessly
    data = text.encode("utf-8")
    return data if len(data) in (size, size - 1) else None


def _modes(changes: Mapping[str, tuple[FileChange, ...]]) -> dict[tuple[str, bytes], set[str]]:
    """The new modes git recorded per (commit, raw path): a set, because a hostile tree can hold a file
    and a gitlink under one name, and the gitlink's mode must not make the file count as skipped."""
    modes: dict[tuple[str, bytes], set[str]] = {}
    for sha, items in changes.items():
        for c in items:
            modes.setdefault((sha, c.key), set()).add(c.new_mode)
    return modes


def _only(modes: Iterable[str]) -> str:
    """The mode when every entry of that name agrees on it; '' (scan it as a file) otherwise."""
    found = set(modes)
    return found.pop() if len(found) == 1 else ""


def decoded_hits(detector: SecretDetector, decoded: Decoded, path: str) -> list[tuple[SecretHit, str]]:
    """(hit, its line) in decoded content: its text, and where the decoding was a guess, its other reading
    too (a secret found only there is added; one found in both is reported once, at the text's line)."""
    found: list[tuple[SecretHit, str]] = []
    seen: set[tuple[str, str]] = set()
    for text in (decoded.text, decoded.alternate):
        if text is None:
            continue
        lines = text.split("\n")
        for hit in detector.scan_text(text, path=path, with_suppressed=True):
            if (hit.rule_id, hit.digest) in seen:
                continue
            seen.add((hit.rule_id, hit.digest))
            found.append((hit, lines[hit.line - 1] if 0 < hit.line <= len(lines) else ""))
    return found


def secrets_in(detector: SecretDetector, texts: Sequence[str]) -> dict[str, str]:
    """Every secret the detector finds in `texts` (each read on its own: no rule reads one text's line as
    another's) → its redacted form. A private key's rule matches its `-----BEGIN` header; the key material
    follows on the same line or the next ones, so the header's line from the header on, and the block to
    its END line, are secrets too."""
    found: dict[str, str] = {}
    texts = [*texts, *(shown for shown in (visible(t) for t in texts) if shown not in texts)]
    for key, local, hit in _scan_many(detector, [(str(i), t) for i, t in enumerate(texts)], COMMIT_MESSAGE):
        if not hit.value:
            continue
        found.setdefault(hit.value, hit.redacted)
        if hit.value.startswith("-----BEGIN"):
            lines = texts[int(key)].split("\n")
            first = lines[local - 1][hit.column - 1 :]
            found.setdefault(first, hit.redacted)
            for end in range(local, min(len(lines), local + 200)):
                if "-----END" in lines[end]:
                    tail = lines[end][: lines[end].index("-----END")]
                    closing = lines[end][len(tail):].split("-----", 2)
                    found.setdefault("\n".join([first, *lines[local:end], tail + "-----".join(closing[:2]) + "-----"]),
                                     hit.redacted)
                    break
    return found


def secret_replacements(texts: Iterable[str]) -> dict[str, str] | None:
    """Every secret the built-in rules find in `texts` → its redacted form (secrets_in); None when the
    detector cannot load, and then nothing may be shown."""
    wanted = sorted({t for t in texts if t})
    if not wanted:
        return {}
    try:
        return secrets_in(built_in_detector(), wanted)
    except Exception:  # any failure here must withhold, never show
        return None


class Replacer:
    """Replaces each of many secret values in texts, and a clipped copy of one — its start, up to a `…` or the
    text's end (a field the model cut to 60 or 100 characters keeps only the start of a token that its whole
    form elsewhere made the detector find). Texts are matched through the values' 8-character starts, so
    a push that holds thousands of secrets costs per text, not per text and value."""

    HEAD = 8

    def __init__(self, names: Mapping[str, str]) -> None:
        self.size = len(names)
        names = {v: r for v, r in names.items() if v}  # an empty value would match between every character
        self.names = names
        self.short = sorted((v for v in names if len(v) < self.HEAD), key=len, reverse=True)
        self.heads: dict[str, list[str]] = {}
        for value in sorted(names, key=len, reverse=True):
            if len(value) >= self.HEAD:
                self.heads.setdefault(value[: self.HEAD], []).append(value)
        self.longest = {head: len(values[0]) for head, values in self.heads.items()}  # values longest first

    def __call__(self, text: str) -> str:
        # Every occurrence of every value (and clipped copy) as a span; overlapping spans are merged and the
        # merged span replaced whole, so no character of any secret survives another's replacement (a value
        # that ends inside the next one, a short value that starts a longer one). A start inside a span found
        # from the same 8-character start is not looked at again: a value overlapping itself is periodic, no
        # credential, and a megabyte run of one character would otherwise start a match at every position.
        names = self.names
        spans: list[tuple[int, int, str]] = []
        for value in self.short:
            at = text.find(value)
            while at != -1:
                spans.append((at, at + len(value), names[value]))
                at = text.find(value, at + len(value))
        heads = self.heads
        if len(text) >= self.HEAD and heads:
            if len(heads) <= 64:  # str.find per start: C speed, and a text holding none costs that alone
                starts: list[int] = []
                for head in heads:
                    at = text.find(head)
                    while at != -1:
                        starts.append(at)
                        at = text.find(head, at + 1)
                starts.sort()
            else:  # thousands of secrets in one push: one dict lookup per position instead
                starts = [i for i in range(len(text) - self.HEAD + 1) if text[i : i + self.HEAD] in heads]
            longest = self.longest
            covered = -1  # where the spans found from earlier starts end
            covering = ""  # the 8-character start of the span that ends there
            for i in starts:
                head = text[i : i + self.HEAD]
                reach = longest[head]
                if i < covered and (head == covering or i + reach <= covered):
                    continue  # the same value again, or any value from here ends inside what is replaced
                values = heads[head]
                whole = next((v for v in values if text.startswith(v, i)), None)  # longest first
                if whole is not None:
                    spans.append((i, i + len(whole), names[whole]))
                    if i + len(whole) > covered:
                        covered, covering = i + len(whole), head
                    continue
                # A clipped copy: up to a `…` (a clipped value inside a sentence, "Change-Id ghp_abc…)"), or up
                # to the text's end (a field clipped without one); never longer than the values it may be of.
                stop = text.find("\u2026", i, i + reach + 1)
                limit = stop if stop >= 0 else len(text)
                if limit - i > reach:
                    continue
                body = text[i:limit]
                clipped = next((v for v in values if v.startswith(body)), None)
                if clipped is not None:
                    spans.append((i, limit + (1 if stop >= 0 else 0), names[clipped]))
                    if limit > covered:
                        covered, covering = limit, head
        if not spans:
            return text
        spans.sort(key=lambda span: (span[0], -span[1]))
        out: list[str] = []
        done = 0
        end = -1
        for begin, stop_at, name in spans:
            if begin < end:  # overlaps the span being replaced: widen it
                end = max(end, stop_at)
                continue
            if end >= 0:
                done = end
            out.append(text[done:begin])
            out.append(name)
            end = stop_at
        out.append(text[end:])
        return "".join(out)


def _redact_paths(findings: list[Finding], names: Mapping[str, str]) -> list[Finding]:
    """A secret in a file's name is printed redacted wherever that path is shown, in every finding: its path,
    its message (a tool may quote the path it read) and its fix (a check may quote commit data in it: red18,
    an agent's model taken from an author name)."""
    if not names:
        return findings
    replace = Replacer(names)
    out = []
    for finding in findings:
        path = redact_shown(replace, finding.path) if finding.path else finding.path
        message = redact_shown(replace, finding.message)
        fix = redact_shown(replace, finding.fix) if finding.fix else finding.fix
        out.append(finding if (path, message, fix) == (finding.path, finding.message, finding.fix)
                   else dataclasses.replace(finding, path=path, message=message, fix=fix))
    return out



def redact_shown(replace: Callable[[str], str], text: str) -> str:
    """`text` with its secrets replaced. Where hidden characters (sanitize.visible) split a secret that the
    renderers would show joined, the visible form of the redacted text with that one replaced too: the raw
    form cannot hide it. Replaced in the raw text first, so nothing the raw form shows whole is lost to a
    transformation (an escape sequence that takes a token's first letter with it: red18)."""
    fixed = replace(text)
    shown = visible(fixed)
    if shown is not fixed:
        again = replace(shown)
        if again != shown:
            return again
    return fixed


def _scan_text_shown(detector: SecretDetector, text: str, path: str) -> list[SecretHit]:
    """scan_text over `text` and, when it holds hidden characters, its visible form (_scan_shown)."""
    hits = detector.scan_text(text, path=path, with_suppressed=True)
    shown = visible(text)
    if shown is not text:
        values = {hit.value for hit in hits}
        hits.extend(hit for hit in detector.scan_text(shown, path=path, with_suppressed=True)
                    if hit.value not in values)
    return hits


def _scan_shown(detector: SecretDetector, texts: Sequence[tuple[str, str]],
                path: str) -> Iterator[tuple[str, int, SecretHit]]:
    """_scan_many over the texts and, for a text holding hidden characters, over its visible form too (a token
    split by a zero-width character, an escape sequence or a carriage return is joined where it is shown;
    lines stay where they were): a secret found in both forms is reported once."""
    shown = [(key, form) for key, text in texts if (form := visible(text)) is not text]
    if not shown:
        yield from _scan_many(detector, texts, path)
        return
    seen: set[tuple[str, str]] = set()
    for key, local, hit in _scan_many(detector, texts, path):
        seen.add((key, hit.value))
        yield key, local, hit
    for key, local, hit in _scan_many(detector, shown, path):
        if (key, hit.value) not in seen:
            seen.add((key, hit.value))
            yield key, local, hit


def _scan_many(detector: SecretDetector, texts: Sequence[tuple[str, str]],
               path: str) -> Iterator[tuple[str, int, SecretHit]]:
    """(key, line within its text, hit) for many small texts in one detector call (an audit of 10,000
    commits is 10,000 messages and headers): global line numbers with a gap between texts, so no rule
    reads one text's line as the next one's. Empty lines are left out (nothing matches on one, and a
    line before one has no line after it either way): a header's blanked id lines are one per parent, and
    an octopus merge can have thousands."""
    lines: list[tuple[int, str]] = []
    where: dict[int, tuple[str, int]] = {}
    number = 0
    for key, text in texts:
        for local, line in enumerate(text.split("\n"), start=1):
            number += 1
            if line:
                lines.append((number, line))
                where[number] = (key, local)
        number += 1
    for hit in detector.scan_lines(lines, path=path, with_suppressed=True):
        key, local = where[hit.line]
        yield key, local, dataclasses.replace(hit, line=local)


# A URL's password for an example's host (a DSN to `host:port`, an AMQP URL to `rabbitmq:5672`) is a test's
# value in test code, as a keyword rule's is (ory/kratos' DSN parser tests, coolify's log sanitizer tests: 20 blocking
# findings, meas141); to any other host it still blocks there.
_URL_RULE_IDS = frozenset({"secrets/database-url-password", "secrets/url-credentials"})
# A bearer literal in test code is a test's too (ory's logrus and handler tests, meas141) — not one whose request
# names a host on a network (`requests.get("https://api.acme-corp.com/v1/me", headers={… "Bearer …"})`: that host's
# credential, as a URL's password for it is: red142); not in documentation, where only a request to an example's host
# makes one a warning (secrets._request_destination).
_BEARER_RULE = "secrets/bearer-token"
# (A Basic header in test code still blocks wherever its request goes: red144 found a test's real host on another line
# of the call read as none, which left real logins through for three measured false findings; bearer tokens keep
# red142's reading, its own strict xfail.)
_BASIC_RULE = "secrets/basic-auth-header"
# The generic secret rule's findings in a CI definition count as high (SecretsScanner._finding).
_CI_RAISED_RULE = "secrets/generic-secret"
# Where a private key block is test data with the default test globs: a test-data directory (traefik's
# integration/fixtures/https/*.key, a Kubernetes provider's fixtures/ingresses/*.yml, sentry's tests/test.key) — not a
# bare `test/`, which also names an environment. Also `test_data/` and `test_resources/` (authelia's
# internal/configuration/test_resources/crypto/: 91 blocking findings, every one a test's key pair). And `t/`, the test
# directory of Perl's and many C projects' suites (h2o's `t/assets/`, picotls' and quicly's `t/`: 27 of h2o's 48
# blocking findings, each a test's key; sec160).
_KEY_TEST_DATA = lazy(r"(?:\A|/)(?:tests|testdata|test[-_]data|test[-_]?resources|__tests__|fixtures"
                            r"|__fixtures__|stubs?|mocks?|t)/|(?:\A|/)src/test/")  # (stubs, mocks: ory's cmd/stub/)
_VS_TEMPORARY_KEY = lazy(r"(?:\A|/)[^/]+_TemporaryKey\.pfx\Z", re.IGNORECASE)
# What deploys or provisions an environment: its keys are real ones wherever they sit.
# (A production or staging directory too: `db/fixtures/production/` holds a real seed, red90.)
_DEPLOYED_FILE = lazy(r"(?:\A|/)\.env(?:\.[^/]*)?\Z|\.(?:env|tfvars|tfstate|sh|bash|zsh|ps1|envrc)\Z",
                            re.IGNORECASE)
_ENVIRONMENT_DIRECTORY = lazy(r"(?:\A|/)(?:inventor(?:y|ies)|group_vars|host_vars|environments?|infra|prod"
                                    r"|production|staging)/", re.IGNORECASE)
_DEPLOY_PACKAGE = lazy(r"(?:\A|/)deploy(?:ments?)?/", re.IGNORECASE)
# GNU libtool's generated `ltmain.sh`, a shell script that deploys nothing: vendored where the globs say so, but under
# an environment's directory (sec160).
_LIBTOOL_SCRIPT = lazy(r"(?:\A|/)ltmain\.sh\Z")
_DEPLOYED = lazy(f"{_DEPLOYED_FILE.pattern}|{_ENVIRONMENT_DIRECTORY.pattern}|{_DEPLOY_PACKAGE.pattern}",
                       re.IGNORECASE)
# A source file named as a test by its runner's convention (Go's `_test.go`, Jest's `.test.ts`, pytest's `test_*.py`,
# JUnit's `*Test.java`).
_TEST_NAMED_SOURCE = lazy(r"(?:_test|\.test|\.spec|_spec)\.[a-z]{1,5}\Z|(?:\A|/)test_[^/]+\.py\Z"
                                r"|(?:Tests?|Spec)\.(?:java|kt|scala|groovy|cs)\Z")
# Source code, where the values a test asserts on live; not data (a recorded HTTP cassette, a .env or .tfvars of a
# deployed test environment, an inventory: red88), not shell scripts (the credentials a test run uses).
_TEST_SOURCE = lazy(r"\.(?:py|[cm]?[jt]sx?|go|java|kts?|scala|groovy|cs|fs|vb|rb|php|rs|swift|mm?|c|cc|cpp|cxx"
                          r"|h|hh|hpp|hxx|exs?|erl|clj|dart|lua|jl"
                          r"|snap)\Z")  # (and a Jest snapshot: a test's recorded output, `convert.test.ts.snap`)
# Rust source, whose in-file `#[cfg(test)]` modules are test code (SecretsScanner._in_context).
_RUST_SOURCE = lazy(r"\.rs\Z")
_BASE64_LINE = lazy(r"[A-Za-z0-9+/]+={0,2}|=[A-Za-z0-9+/]{4}")


def _environment_place(path: str) -> bool:
    """Whether `path` is part of what deploys or provisions an environment, where neither a test's key nor a value in
    test code is a test's: a real environment's file (`.env`, `.tfvars`, a shell script), anything under an
    environment's directory (`prod/`, `inventory/`, `infra/`, `environments/test/`: a smoke test there logs in to that
    environment, red135, red138), and what sits in a deployments package but its own test source (portainer's
    `api/stacks/deployments/deploy_test.go` is that package's test)."""
    return bool(_DEPLOYED_FILE.search(path) or _ENVIRONMENT_DIRECTORY.search(path)
                or (_DEPLOY_PACKAGE.search(path) and not _TEST_NAMED_SOURCE.search(path)))


def _signature_noise(finding: Finding, raw: bytes | None, line: int) -> Finding:
    """A commit-header hit on a base64 line of the commit's own `gpgsig` signature, when that signature is a GOOD
    one by a forge key the gate ships (GitHub's or GitLab's, verified in-process): kept, but low. A signature's
    base64 is random, and over a few thousand of them some line spells a key's shape (google-gemini/gemini-cli:
    GitHub's signature on a squash merge held `LTAI` and 16 letters, an Alibaba AccessKey ID to the rule, and
    blocked it); a forge's RSA signature is bytes nobody chose. Any other signature block — a developer's, one
    that does not verify, a well-formed packet made up around a key — is scanned as any other text."""
    if raw is None or finding.severity <= Severity.LOW or line - 1 not in _forge_signature_lines(raw):
        return finding
    return dataclasses.replace(
        finding, severity=Severity.LOW,
        message=finding.message + " — inside the base64 of the commit's verified forge signature, where random "
        "bytes spell such strings about once in a few thousand signatures: not blocking")


@functools.lru_cache(maxsize=2)  # an object is held only while its hits are judged
def _forge_signature_lines(raw: bytes) -> frozenset[int]:
    """Indexes into header_text(raw)'s lines of the base64 lines of the commit's own signature, when it is a GOOD
    signature by a shipped forge key; empty otherwise."""
    from gatekeeper.models import SignatureStatus
    from gatekeeper.provenance.openpgp import bundled_forge_keys, verify_forge_openpgp
    from gatekeeper.provenance.signatures import split_signature

    signature, payload, problem = split_signature(raw)
    if signature is None or problem is not None:
        return frozenset()
    try:
        info = verify_forge_openpgp(signature, payload, bundled_forge_keys())
    except Exception:  # a signature it cannot read is not one it verified: scanned as text
        return frozenset()
    if info is None or info.status is not SignatureStatus.GOOD:
        return frozenset()
    lines = header_text(raw).split("\n")
    found: set[int] = set()
    inside = False
    for index, line in enumerate(lines):
        if line.startswith(("gpgsig ", "gpgsig-sha256 ")):
            inside = True
        elif not line.startswith(" "):
            inside = False
        elif inside and _BASE64_LINE.fullmatch(line.strip()):
            found.add(index)
    return frozenset(found)


def header_text(raw: bytes) -> str:
    """The free-text part of a commit or tag object's header, one line per header line (so a finding's
    line is the header line): the object-id lines blanked. Continuation lines (a space first) belong to
    the header before them; an object id never has any, so they are all kept."""
    lines = raw.partition(b"\n\n")[0].split(b"\n")
    return "\n".join("" if line.split(b" ", 1)[0] in _ID_HEADERS else _text(line) for line in lines)


def message_text(raw: bytes) -> str:
    """The message of a commit or tag object, as the object stores it."""
    return _text(raw.partition(b"\n\n")[2])


def declared_text(raw: bytes) -> str:
    """The message of a commit or tag object read in the encoding its `encoding` header names, when that is a
    text encoding Python knows and not UTF-8; "" otherwise. (A tool that honours the header shows this.)"""
    head, _, body = raw.partition(b"\n\n")
    for line in head.split(b"\n"):
        if line.startswith(b"encoding "):
            name = line[9:].strip().decode("ascii", "replace")
            try:
                if codecs.lookup(name).name in ("utf-8", "ascii"):
                    return ""
                return body.replace(b"\x00", b"").decode(name, "replace")
            except (LookupError, ValueError, TypeError):
                return ""  # not a codec, or not a text encoding (rot13, base64 are not)
    return ""


def _text(data: bytes) -> str:
    """Object text for the detector: NUL bytes dropped (a key written in UTF-16, `A\\0K\\0I\\0A...`, reads
    as itself; line breaks stay where they were), the rest as UTF-8 with replacement."""
    return data.replace(b"\x00", b"").decode("utf-8", "replace")


# A line that may be a value whose key is on the line before: `value: …` of an env list, an indented plain scalar
# (a block scalar's line or a value moved to the line after its key), a plist's `<string>`, a .NET setting's `<value>`,
# a JSON env list's `"value": …` as formatters write it (a space after the colon, or around it; red113: only the
# compact `"value":"…"` was read, as an indented scalar), CloudFormation's `"ParameterValue":`, HCL's `value = …`.
_VALUE_LINE = lazy(r"[ \t]*(?:-[ \t]+)?value:|[ \t]*<(?:string|value)>"
                         r"|[ \t]*\"(?i:value|parametervalue)\"[ \t]*:|[ \t]*value[ \t]*="
                         r"|[ \t]+[^\s#:\-][^\s]*[ \t]*\Z")


# A value line of an item written value first, whose name may be the kept line below it (`- value: …`, `"value": …`).
_VALUE_FIRST = lazy(r"[ \t]*(?:-[ \t]+value:|\"(?i:value|parametervalue)\"[ \t]*:|value[ \t]*=)")


# A line of a key's base64 body, as a key file, a heredoc, a comment or a string literal per line writes it: marks and
# quotes around base64 (a PEM line has 64 characters, OpenSSH's 70; PEM and OpenSSH readers take lines of any width,
# down to one character, so a pusher may wrap them so: red141). The marks: a comment's, a Markdown quote's `>`, a YAML
# list item's `- `, a join first and joins last (`+`, `.`, `..`, `,`, `&`, `_`, `\`, VB's `vbLf`, `PHP_EOL`: those of
# secrets._JOINS), a string prefix (`b"`, `r'`, `@"`), an escaped line end, and a comment after it all
# (`"…\n" + // part 2`). The material may hold spaces: PEM readers skip them (red141). Every repeat is possessive and
# no two of them can take the same characters: a line of 20,000 spaces took this expression 10 s when two `[ \t]*`
# stood side by side (red141).
_MATERIAL_LINE = lazy(r"^[ \t]*+(?:(?:#|//|--|;|\*|>|-(?=[ \t]))[ \t]*+)?(?:(?:\.\.|[+.,&_])[ \t]*+)?"
                            r"(?:@|[bBrRuUfF]{1,2}(?=[\"'`]))?[\"'`]?"
                            r"(?P<m>[A-Za-z0-9+/]++(?:[ \t]++[A-Za-z0-9+/]++)*+={0,2})(?:\\r)?(?:\\n)?[\"'`]?[ \t]*+"
                            r"(?:(?:\.\.|[+.,&_\\]|vb(?:Cr)?Lf|vbNewLine|PHP_EOL)[ \t]*+)*+(?:(?:#|//)[^\n]*+)?\r?$",
                            re.MULTILINE)
_KEY_HEADER = lazy(r"-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----|---- BEGIN SSH2 "
                         r"|PuTTY-User-Key-File-[23]:")
# What a file holds when it holds a key header (one without is not read on). Searched for one at a time: `in` runs
# through a file many times faster than an alternation does (red141: half the time of _pasted_keys).
_HEADER_BYTES = (b"PRIVATE KEY", b"---- BEGIN SSH2 ", b"PuTTY-User-Key-File-")
# An END line the commit may add under a kept header and kept material (_pasted_keys).
_KEY_FOOTER_LINE = lazy(r"-----END[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----|---- END SSH2 |Private-MAC:")
# What ends a key block before any later line: an END line, another block's BEGIN line (a certificate under a
# template's header that has no END line: red141), and in a Markdown page a fence (a template in one code block of a
# page, data in another; only there: in a key file or a config a line of tildes may be a template's own placeholder).
# A key header is looked for first, so its own BEGIN line is a header, not a stop.
_BLOCK_MARK = lazy(rf"(?P<header>{_KEY_HEADER.pattern})|-----END |---- END |Private-MAC:|-----BEGIN |---- BEGIN ")
_PAGE_BLOCK_MARK = lazy(rf"{_BLOCK_MARK.pattern}|^ {{0,3}}(?:`{{3,}}|~{{3,}})", re.MULTILINE)
_MARKDOWN = lazy(r"\.(?:md|markdown|mdx)\Z", re.IGNORECASE)
# The most lines looked above a run for its header: as far as the detector reads a block past its header
# (secrets._KEY_BLOCK_LINES): a run further down is outside the block it would judge (red141: it was 130).
_HEADER_REACH = 120
_NOT_WORDS = lazy(r"[0-9+/]")  # what base64 material holds and a column of words does not


def _material_runs(patch: FilePatch) -> list[int]:
    """The lines where a commit may have completed a key under a header it kept (_pasted_keys): the first line of each
    run of consecutive added lines that hold key material (_MATERIAL_LINE) with a digit, `+` or `/` in it (a column of
    words is none); each added END line of a private key (set under material that was there); and the line after each
    place the commit deleted lines and added none (patch.joined: a fake END line, or more filler than the detector
    reads, kept a body apart from its header in one commit and the next deleted it, red141). Every such run counts,
    however little it holds: a body pasted a few characters a commit, or every other line in one commit and the rest
    in the next, adds no run of 40 characters (red141); reading such a file costs a look for a key header in its
    bytes. One regular-expression pass over the patch's added text."""
    points = list(patch.joined)
    joined = "\n".join(t for _, t in patch.added)
    points.extend(_piece_runs(patch, joined))
    footers = _KEY_FOOTER_LINE.search(joined) is not None
    if not patch.added or (not footers and _MATERIAL_LINE.search(joined) is None):
        return points
    numbers = [n for n, _ in patch.added]
    runs: list[list[int]] = []  # [first line, last line, lines not only letters]
    index, offset = 0, 0
    for match in _MATERIAL_LINE.finditer(joined):
        index += joined.count("\n", offset, match.start())
        offset = match.start()
        number = numbers[index]
        mixed = _NOT_WORDS.search(match["m"]) is not None
        if runs and number == runs[-1][1] + 1:
            runs[-1][1:] = [number, runs[-1][2] + mixed]
        else:
            runs.append([number, number, int(mixed)])
    points.extend(first for first, _, mixed in runs if mixed)
    if footers:
        points.extend(n for n, text in patch.added if _KEY_FOOTER_LINE.search(text))
    return sorted(set(points))


# A piece of key material inside a line of code (`echo "…" >> k`, `f.puts '…'`): no material line, but what a commit
# adds between a key's BEGIN and END lines written in code, both kept (red146: a deploy script's header and END lines
# committed first, the body's lines inserted between them later: no END line added, nothing deleted).
_WRITTEN_PIECE = lazy(r"[A-Za-z0-9+/]{16,}+")


def _piece_runs(patch: FilePatch, joined: str) -> list[int]:
    """The first line of each run of consecutive added lines that hold a _WRITTEN_PIECE with a digit, `+` or `/` in it
    (_material_runs; `joined` is the patch's added text). One pass."""
    numbers = [n for n, _ in patch.added]
    firsts: list[int] = []
    last, index, offset = -2, 0, 0
    for match in _WRITTEN_PIECE.finditer(joined):
        if _NOT_WORDS.search(match.group()) is None:
            continue
        index += joined.count("\n", offset, match.start())
        offset = match.start()
        number = numbers[index]
        if number > last + 1:
            firsts.append(number)
        last = number
    return firsts


_T = TypeVar("_T")
_READ_CHUNK = 32 * 1024 * 1024  # the most bytes of files _pasted_keys holds at once (one cat-file process each)


def _chunked(items: Sequence[_T], size: Callable[[_T], int], limit: int) -> Iterator[list[_T]]:
    """`items` in order, in lists whose sizes add up to `limit` at most (an item over it alone)."""
    chunk: list[_T] = []
    total = 0
    for item in items:
        if chunk and total + size(item) > limit:
            yield chunk
            chunk, total = [], 0
        chunk.append(item)
        total += size(item)
    if chunk:
        yield chunk


# What may follow a PEM header on its line when its body is on the lines below: nothing, or the end of a string and
# its joins (`\n" +`, `\n\`: secrets._CLOSED_STRING). A header followed by more (`\nMIIEpAIBAAKCAQEA...` in a help
# string) holds its block on its own line, and lines below are no body of it (red141: ory/hydra's `HTTPS_TLS_KEY=`
# example opened a block that edits 50 lines below were judged in).
_OPEN_TAIL = lazy(r"[ \t]*(?:\\r)?(?:\\n)?\\?[\"'`]?(?:[ \t]*(?:\.\.|[+.,&_\\]|vb(?:Cr)?Lf|vbNewLine|PHP_EOL))*+"
                        r"[ \t]*\r?$", re.MULTILINE)


def _open_headers(text: str, path: str) -> list[tuple[int, bool]]:
    """(line number, opens a key block) of each line of `text` (the file at `path`) that opens or ends one
    (_BLOCK_MARK), in order; the last mark a line holds decides (a key on one line, header to END, is closed), and a
    PEM header with more than _OPEN_TAIL after it on its line opens none. One pass over the file."""
    marks: list[tuple[int, bool]] = []
    line, offset = 1, 0
    for match in (_PAGE_BLOCK_MARK if _MARKDOWN.search(path) else _BLOCK_MARK).finditer(text):
        line += text.count("\n", offset, match.start())
        offset = match.start()
        opens = match["header"] is not None and (not match["header"].startswith("-----BEGIN")
                                                 or _OPEN_TAIL.match(text, match.end()) is not None)
        if marks and marks[-1][0] == line:
            marks[-1] = (line, opens)
        else:
            marks.append((line, opens))
    return marks


def _header_above(marks: Sequence[tuple[int, bool]], first: int) -> int | None:
    """The line number of the key header whose block line `first` (1-based) is part of: the nearest mark above it
    (_open_headers), when that is a header within _HEADER_REACH lines."""
    at = bisect.bisect_left(marks, (first, False)) - 1
    if at < 0:
        return None
    line, header = marks[at]
    return line if header and first - line <= _HEADER_REACH else None


# A PEM private key's END line, its kind named (`RSA `, `EC `, none).
_PEM_KEY_END = lazy(r"-----END (?P<kind>[ A-Z0-9]{0,40})PRIVATE KEY-----")


def _headless_block(lines: Sequence[str], marks: Sequence[tuple[int, bool]],
                    first: int) -> tuple[int, list[str]] | None:
    """A key body with no BEGIN line: from the mark above line `first` (or the file's start) to a PEM private key's END
    line below it, nothing but key material (_MATERIAL_LINE) that decodes to one whole key (secrets.whole_key: no
    excerpt does). A header is all a reader needs to add, so such a body is a key (a fake END line between a template's
    header and a pasted body: the body, its END line and the fake one pushed first, the fake one deleted later — the
    body was in history from the first push). Returns (the END line's number, the block as the detector reads it: a
    BEGIN line of the END line's kind, the body, the END line), or None."""
    at = bisect.bisect_left(marks, (first, False))
    if at >= len(marks):
        return None
    end = marks[at][0]
    footer = _PEM_KEY_END.search(lines[end - 1]) if end <= len(lines) else None
    if footer is None or end - first > _HEADER_REACH:
        return None
    start = max(marks[at - 1][0] + 1 if at > 0 else 1, end - _HEADER_REACH)
    body = [lines[n - 1].rstrip("\r") for n in range(start, end)]
    pieces: list[str] = []
    for text in body:
        bare = text.strip()
        if not bare:
            continue
        if _BASE64_LINE.fullmatch(bare):
            pieces.append(bare)  # (whole: a body line may start with `+` or `/`, which a literal's marks take)
            continue
        found = _MATERIAL_LINE.fullmatch(text)
        if found is None:
            return None
        pieces.append(re.sub(r"[ \t]", "", found["m"]))
    if not pieces or not whole_key("".join(pieces)):
        return None
    begin = f"-----BEGIN {footer['kind']}PRIVATE" + " KEY-----"
    return end, [begin, *body, lines[end - 1].rstrip("\r")]


# A key's header or END line written inside a line of code (`echo "-----BEGIN …-----" > key`, `'-----BEGIN …-----' ||`,
# `<l>-----BEGIN …-----</l>`), which opens no block to the detector (_OPEN_TAIL: code about keys, most often).
_PEM_KEY_BEGIN = lazy(r"-----BEGIN [ A-Z0-9]{0,40}PRIVATE KEY-----")
_BASE64_RUN = lazy(r"[A-Za-z0-9+/]++={0,2}")
_NOT_BASE64 = lazy(r"[^A-Za-z0-9+/=]")
_WRITTEN_WIDTH = 40  # the narrowest column of equal lines read as a key's body written line by line (PEM's is 64)


def _written_block(lines: Sequence[str], marks: Sequence[tuple[int, bool]], first: int,
                   columns: bool = True) -> tuple[int, int, list[str]] | None:
    """A private key written one line of code per line of its body (red141: a CI step's `echo "…" >> ~/.ssh/id_rsa`,
    a seed's `'…' ||`, an XML element per line): a PEM header the detector reads as code about keys (a mark that opens
    no block, _open_headers) above line `first`, a PEM END line at or below it within _HEADER_REACH
    lines, and between them nothing but lines that each hold one piece of base64 in the same wrapping of code. It is a
    key when the pieces decode to one whole key's encoding (secrets.whole_key: every real key does) or stand as a
    column (all but the last of one width, _WRITTEN_WIDTH or more, as a key file's lines are, padded at the end only;
    only where `columns`: the commit wrote the block's BEGIN or END line) — code about keys between two such lines
    holds neither. Returns (the header's line, the END line's, the block as the detector reads
    it: header, pieces, END line), or None."""
    at = bisect.bisect_left(marks, (first, False))
    if at >= len(marks) or at == 0:
        return None
    end = marks[at][0]
    header, opens = marks[at - 1]
    if end - header > _HEADER_REACH or end > len(lines):
        return None
    begin = _PEM_KEY_BEGIN.search(lines[header - 1])
    footer = _PEM_KEY_END.search(lines[end - 1])
    if begin is None or footer is None:  # (of any kinds: the material is in history whether a reader takes it or not)
        return None
    if _PEM_KEY_END.search(lines[header - 1], begin.end()):
        return None  # (a key, or its mention, closed on its own line: no header of the lines below, red146)
    # (An encrypted PEM key's own header lines are no piece of its body: red146.)
    body = [text.rstrip("\r") for text in lines[header : end - 1] if text.strip() and not _PEM_FIELD.search(text)]
    if not body or (opens and all(_MATERIAL_LINE.fullmatch(text) for text in body)):
        return None  # (a header that opens a block over material lines: the detector reads that body itself)
    for pieces in (_longest_runs(body), _between_wrappers(body), _most_wrapped(body)):
        if pieces is None:
            continue
        material = "".join(pieces)
        width = len(pieces[0])
        # A column: two lines or more (one is any long value: `echo "$DEPLOY_KEY_…"`), not of hex alone (digests).
        # Padding ends a key's material, never one of its lines (red146: a list of `sha512-…==` digests).
        column = (columns and len(pieces) > 1 and width >= _WRITTEN_WIDTH
                  and all(len(p) == width and not p.endswith("=") for p in pieces[:-1]) and len(pieces[-1]) <= width
                  and len(set(material)) >= 16 and _HEX.fullmatch(material) is None)
        if len(material) >= 40 and (column or whole_key(material)):
            return header, end, [begin.group(0), *pieces, footer.group(0)]
    return None


_PEM_FIELD = lazy(r"\b(?:Proc-Type|DEK-Info): ")
_HEX = lazy(r"[0-9A-Fa-f]+")


def _longest_run(text: str) -> re.Match[str] | None:
    """A line's longest run of base64, its padding with it (a padded run first: a last line as short as the code's own
    words)."""
    return max(_BASE64_RUN.finditer(text), key=lambda run: (run.group().endswith("="), run.end() - run.start()),
               default=None)


def _longest_runs(body: Sequence[str]) -> list[str] | None:
    """Each line's longest run of base64 (_longest_run)."""
    pieces: list[str] = []
    for text in body:
        run = _longest_run(text)
        if run is None:
            return None
        pieces.append(run.group())
    return pieces


def _most_wrapped(body: Sequence[str]) -> list[str] | None:
    """Each line's longest run of base64 (_longest_runs) in the lines that wrap it in the same code as most of them do,
    the others left out (red146: a `chmod 600 k`, a comment or an encrypted key's blank line, `echo "" >> k`, between
    the `echo "…" >> k` lines); None when that leaves all of them in (the other readings have read it)."""
    wrapped: list[tuple[tuple[str, str], str]] = []
    for text in body:
        run = _longest_run(text)
        if run is None:
            continue
        wrapped.append(((text[: run.start()].strip(), text[run.end() :].strip()), run.group()))
    counts: dict[tuple[str, str], int] = {}
    for wrapping, _ in wrapped:
        counts[wrapping] = counts.get(wrapping, 0) + 1
    most = max(counts, key=counts.__getitem__, default=None)
    pieces = [piece for wrapping, piece in wrapped if wrapping == most]
    return pieces if 1 < len(pieces) < len(body) else None


def _between_wrappers(body: Sequence[str]) -> list[str] | None:
    """What each line holds between the code all of them start and end with (cut back to a character base64 has not,
    so no piece loses material it shares with the others), when that is base64 in every line."""
    prefix = os.path.commonprefix(list(body))  # noqa: RUF071 (strings, not paths)
    suffix = os.path.commonprefix([text[::-1] for text in body])[::-1]  # noqa: RUF071
    cut = [m.end() for m in _NOT_BASE64.finditer(prefix)]
    prefix = prefix[: cut[-1]] if cut else ""
    found = _NOT_BASE64.search(suffix)
    suffix = suffix[found.start() :] if found else ""
    pieces = [text[len(prefix) : len(text) - len(suffix)] for text in body]
    return pieces if all(_BASE64_LINE.fullmatch(p) for p in pieces) else None


def _lone_values(detector: SecretDetector, patch: FilePatch) -> list[int]:
    """The added lines of `patch` that may be a value beside a key line the patch did not add (above it, or below it
    where the value comes first), in a file a next_line rule reads (_kept_keys)."""
    if not detector.next_line_paths(patch.path):
        return []
    added = patch.line_numbers
    return [n for n, text in patch.added
            if (n - 1 not in added and _VALUE_LINE.match(text.rstrip("\r")))
            or (n + 1 not in added and _VALUE_FIRST.match(text))]
