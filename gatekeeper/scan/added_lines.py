"""Which lines a range introduces: per commit (for secrets) and net at the range's head (semgrep, bandit).

Both come from git's own -U0 patches (gatekeeper.git streams them) parsed here, so no work tree is
needed and nothing is checked out.

Per commit (`iter_commit_additions`): every commit of the range is diffed against its parent, runs of
non-merges in one `diff-tree --stdin` process each. A secret added by commit 1 and deleted by commit 2 is
still found, because commit 1's own patch added it and the secret is in the pushed history.

Merges: a merge's own additions are the lines of its result that are in *none* of its parents (its
conflict resolutions and "evil merge" edits): the lines git's dense combined diff (`--cc`) marks `+` in
every column. They are read without it — the paths that differ from every parent (`-c --raw`), each
diffed against each parent, the lines added against all of them kept — because a combined diff's memory
is quadratic in a file's lines (a real merge of a 68,000-line lock file took git 24 GB). Lines the merge
only carries over from one side were already attributed to the commit on that side (or predate the range)
and are not counted twice.

Net at head (`range_additions`): the lines of the head version of each file that the range added, from
`git diff -U0 <boundary> <head>`, where the boundary is the set of parents of the range's commits that
are outside the range. With several boundary commits (the range merges in a branch that already
existed) only lines that none of them has count (read as a merge's are, one boundary at a time): a line
that came in with an already-existing branch is not blamed on this change.
In a range that mixes commits a scanner looks at with commits it does not (e.g. mobile and desktop
commits), the net lines of the files the looked-at commits touched are used: that may include a line a
desktop commit added to such a file, which errs on the side of reporting.

Hostile input: paths are C-unquoted from git's quoting (newlines and control characters arrive escaped)
and kept as bytes (`FilePatch.raw`, the key), decoded only for display (models.display_path); text is
decoded as UTF-8 with replacement, files over `max_file_bytes` are reported by git as binary
(core.bigFileThreshold) and added text beyond the per-file cap is cut with `truncated` set, so the caller
records the skip instead of holding an unbounded diff in memory.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from gatekeeper.errors import GitError
from gatekeeper.git import Git, is_sha, out_of_memory
from gatekeeper.git.diff import WIDE_MERGE_PARENTS
from gatekeeper.lazy_regex import lazy
from gatekeeper.models import FileStatus, display_path, path_key

DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024
# Lines of added text kept per file before the rest is cut (and reported): a 2 MB file of one-byte
# lines is 1M lines; beyond that the file is not source anyone reviews line by line.
DEFAULT_MAX_FILE_LINES = 200_000

_HUNK_RE = lazy(rb"^(@{2,}) (.*?) @{2,}")
_C_ESCAPES = {ord("a"): 7, ord("b"): 8, ord("t"): 9, ord("n"): 10, ord("v"): 11, ord("f"): 12, ord("r"): 13,
              ord('"'): ord('"'), ord("\\"): ord("\\")}


@dataclass(frozen=True, slots=True)
class FilePatch:
    """What one patch added to one path."""

    path: str  # display_path of the path at the new side (for a deletion, the deleted path)
    blob: str | None  # the new blob id, when git printed one
    mode: str | None  # the new mode ("100644", "120000" symlink, "160000" gitlink), None if unchanged/unknown
    added: tuple[tuple[int, str], ...] = ()  # (line number in the new version, text without the newline)
    binary: bool = False  # git showed "Binary files differ" (binary content, or over the size threshold)
    truncated: bool = False  # more added text than the per-file cap: the rest was not kept
    deleted: bool = False
    raw: bytes = b""  # the path's bytes as git printed them: the key to match it with other git output
    old_blobs: tuple[str, ...] = ()  # the parents' blob ids from the `index` line (one per parent)
    created: bool = False  # git printed `new file mode`: the path itself is new in this commit
    # Where a one-parent patch deleted lines: the new version's first line in their place, or the line after them
    # when it added none (lines a deletion joins, as a key's header and body a fake END line kept apart, deleted or
    # replaced by a blank line: secrets_scanner._pasted_keys).
    joined: tuple[int, ...] = ()

    @property
    def key(self) -> bytes:
        return self.raw or path_key(self.path)

    @property
    def line_numbers(self) -> frozenset[int]:
        return frozenset(n for n, _ in self.added)


@dataclass(slots=True)
class _Builder:
    path: bytes = b""
    blob: str | None = None
    mode: str | None = None
    added: list[tuple[int, str]] = field(default_factory=list)
    binary: bool = False
    truncated: bool = False
    deleted: bool = False
    added_bytes: int = 0
    old_blobs: tuple[str, ...] = ()
    created: bool = False
    joined: list[int] = field(default_factory=list)

    def build(self) -> FilePatch:
        return FilePatch(display_path(self.path), self.blob, self.mode, tuple(self.added), self.binary,
                         self.truncated, self.deleted, self.path, self.old_blobs, self.created, tuple(self.joined))


class PatchParser:
    """Incremental parser of `-p -U0` output (plain and combined), fed one line (bytes) at a time.

    A hunk's body is recognised by its line prefixes (`+`, `-`, space, `\\`): every other line git can
    print between files (`diff ...`, `@@...`, a commit id from `--stdin`) starts with something else,
    so an added line can never be mistaken for a header, whatever it contains.
    """

    def __init__(self, *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
                 max_file_lines: int = DEFAULT_MAX_FILE_LINES, keep_text: bool = True) -> None:
        self.max_file_bytes = max_file_bytes
        self.max_file_lines = max_file_lines
        self.keep_text = keep_text
        self.commit: str | None = None
        self._file: _Builder | None = None
        self._parents = 1  # columns of the current hunk
        self._next_line = 0
        self._in_hunk = False

    def feed(self, raw: bytes) -> Iterator[tuple[str | None, FilePatch]]:
        """Parse one line; yields (commit, FilePatch) whenever a file's patch is complete."""
        line = raw[:-1] if raw.endswith(b"\n") else raw
        if self._in_hunk and line[:1] in (b"+", b"-", b" ", b"\\"):
            self._body(line)
            return
        self._in_hunk = False
        if line.startswith(b"@@"):
            self._hunk(line)
            return
        if line.startswith(b"diff --git ") or line.startswith(b"diff --cc ") or line.startswith(b"diff --combined "):
            yield from self._flush()
            self._file = _Builder(path=_header_path(line))
            return
        text = line.decode("ascii", "replace").strip()
        if self._file is None or is_sha(text):
            if is_sha(text):
                yield from self._flush()
                self.commit = text
            return
        self._header(line)

    def close(self) -> Iterator[tuple[str | None, FilePatch]]:
        yield from self._flush()

    def _flush(self) -> Iterator[tuple[str | None, FilePatch]]:
        if self._file is not None and self._file.path:
            yield self.commit, self._file.build()
        self._file = None
        self._in_hunk = False

    def _header(self, line: bytes) -> None:
        f = self._file
        assert f is not None
        if line.startswith(b"+++ "):
            name = line[4:]
            if name == b"/dev/null":
                f.deleted = True
                return
            path = _unquote(name.rstrip(b"\t") if not name.startswith(b'"') else name)
            if path.startswith(b"b/"):
                f.path = path[2:]
        elif line.startswith(b"new file mode ") or line.startswith(b"new mode "):
            f.created = f.created or line.startswith(b"new file mode ")
            f.mode = line.rsplit(b" ", 1)[1].decode("ascii", "replace")
        elif line.startswith(b"mode ") and b".." in line:
            # A combined diff's `mode p1,p2..result`: the patch names its own result mode, so nothing
            # has to be looked up by path elsewhere (where two entries may share a name).
            f.mode = line.rsplit(b"..", 1)[1].decode("ascii", "replace").strip()
        elif line.startswith(b"deleted file mode "):
            f.deleted = True
        elif line.startswith(b"index "):
            parts = line.decode("ascii", "replace").split()
            if len(parts) >= 2 and ".." in parts[1]:
                old, new = parts[1].rsplit("..", 1)
                f.old_blobs = tuple(b for b in old.split(",") if is_sha(b) and set(b) != {"0"})
                f.blob = new if is_sha(new) else None
                if f.blob is not None and set(f.blob) == {"0"}:
                    f.deleted = True
            if len(parts) >= 3 and f.mode is None:
                f.mode = parts[2]
        elif line.startswith(b"Binary files ") and line.endswith(b" differ"):
            f.binary = True

    def _hunk(self, line: bytes) -> None:
        match = _HUNK_RE.match(line)
        if match is None or self._file is None:
            return
        self._parents = len(match.group(1)) - 1
        new_range = [t for t in match.group(2).split() if t.startswith(b"+")]
        if not new_range:
            return
        start, _, count = new_range[-1][1:].partition(b",")
        try:
            self._next_line = int(start)
        except ValueError:
            return
        old_range = match.group(2).split(b" ", 1)[0]
        if self._parents == 1 and old_range.startswith(b"-") and not old_range.endswith(b",0"):
            # Lines deleted (`-N,0` deletes none): the new version's first line in their place, or the line after
            # them when none was added (`+N,0`: they were deleted after line N).
            self._file.joined.append(self._next_line + 1 if count == b"0" else self._next_line)
        self._in_hunk = True

    def _body(self, line: bytes) -> None:
        f = self._file
        if f is None or line.startswith(b"\\"):
            return  # "\ No newline at end of file"
        columns = line[: self._parents]
        if b"-" in columns:
            return  # a line of a parent that is not in the result
        number = self._next_line
        self._next_line += 1
        if columns != b"+" * self._parents or f.truncated:
            return
        text = line[self._parents :]
        if len(f.added) >= self.max_file_lines or f.added_bytes + len(text) > self.max_file_bytes:
            f.truncated = True
            return
        f.added_bytes += len(text)
        f.added.append((number, text.decode("utf-8", "replace") if self.keep_text else ""))


def parse_patch(lines: Iterable[bytes], **options: int | bool) -> Iterator[tuple[str | None, FilePatch]]:
    """(commit, FilePatch) for every file of a streamed patch; commit is None without commit headers."""
    parser = PatchParser(**options)  # type: ignore[arg-type]
    for raw in lines:
        yield from parser.feed(raw)
    yield from parser.close()


# git's address space for the combined diff of a range's commits: far above what real merges need (the largest
# of 3,000 real merges of 6 histories took 31 MB, bar one: 24 GB), far below what one hostile merge can ask.
COMBINED_DIFF_MEMORY = 2 << 30


def iter_commit_additions(git: Git, commits: Sequence[str], *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
                          max_file_lines: int = DEFAULT_MAX_FILE_LINES) -> Iterator[tuple[str, FilePatch]]:
    """(commit, FilePatch) for each file each commit changed, from one streamed git process (`diff-tree --stdin
    --cc`, its address space capped at COMBINED_DIFF_MEMORY). When git runs out of memory there (a merge whose
    file lost many lines against each parent: the combined diff coalesces those in a table of both counts, 24 GB
    for one lock file in a real merge), the commits from the one it stopped at are read one parent at a time
    (`_additions_by_parent`); what was given already is not given again."""
    commits = list(dict.fromkeys(commits))
    merges = git.merge_parents(commits)
    # The lines each merge's own patches gave per path (None: the file is read whole), so that merge_additions
    # gives only what they did not: by text, as the combined diff may number a hunk's lines one off (see
    # _additions_by_parent) — one text twice in a file is one secret.
    given: dict[tuple[str, bytes], frozenset[str] | None] = {}
    for commit, patch in _own_additions(git, commits, max_file_bytes=max_file_bytes, max_file_lines=max_file_lines):
        if commit in merges:
            given[(commit, patch.key)] = (None if patch.binary or patch.truncated
                                          else frozenset(text for _, text in patch.added))
        yield commit, patch
    for commit, patch in merge_additions(git, merges, max_file_bytes=max_file_bytes, max_file_lines=max_file_lines):
        if (commit, patch.key) in given:
            texts = given[(commit, patch.key)]
            if texts is None:
                continue
            patch = dataclasses.replace(patch, added=tuple(line for line in patch.added if line[1] not in texts))
        if patch.added or patch.binary or patch.truncated or patch.joined:  # (joined: a merge deleting lines)
            yield commit, patch


def _own_additions(git: Git, commits: Sequence[str], *, max_file_bytes: int,
                   max_file_lines: int) -> Iterator[tuple[str, FilePatch]]:
    """Each commit's lines in none of its parents: the combined diff's, else _additions_by_parent's."""
    given: set[tuple[str, bytes]] = set()
    last: str | None = None
    try:
        stream = git.commit_patches(commits, big_file_threshold=max_file_bytes, memory=COMBINED_DIFF_MEMORY)
        for commit, patch in parse_patch(stream, max_file_bytes=max_file_bytes, max_file_lines=max_file_lines):
            if commit is not None and not patch.deleted:
                last = commit
                given.add((commit, patch.key))
                yield commit, patch
        return
    except GitError as exc:
        if not out_of_memory(exc):
            raise
    rest = commits[commits.index(last):] if last is not None else commits
    for commit, patch in _additions_by_parent(git, rest, max_file_bytes=max_file_bytes,
                                              max_file_lines=max_file_lines):
        if (commit, patch.key) not in given:
            yield commit, patch


def _additions_by_parent(git: Git, commits: Sequence[str], *, max_file_bytes: int,
                         max_file_lines: int) -> Iterator[tuple[str, FilePatch]]:
    """iter_commit_additions without a combined diff: a run of non-merges against their parents from one streamed
    `diff-tree` process; a merge against each of its parents in turn, the lines added against all of them kept, for
    the paths that differ from every parent (`changed_files`, one process for all merges: `-c --raw`) — the lines
    the dense combined diff marks `+` in every column (numbered right: the combined diff numbers a hunk that starts
    with a line only some parents lack from the line before it). A merge no path of which differs from every parent
    added nothing of its own and is not diffed.

    Each merge is its own process naming those paths (`_literal_paths`): diffed whole, a merge with a small
    unrelated (or long-diverged) parent cost main's whole tree — 170x the combined diff on 20 such merges, a clean
    push blocked on time after one merge the combined diff ran out of memory on (red118). Its patches are given
    when its last parent ends, so the caller's deadline is checked between merges. What is held is the first
    parent's patches of one merge's paths, each cut down as a further parent's patch of it arrives: no more than a
    one-parent scan holds."""
    merges = git.merge_parents(commits)
    candidates = git.changed_files(list(merges)) if merges else {}
    run: list[tuple[str, str | None]] = []
    for sha in commits:
        if sha not in merges:
            run.append((sha, None))
            continue
        yield from _read_pairs(git, run, {}, threshold=max_file_bytes, max_file_bytes=max_file_bytes,
                               max_file_lines=max_file_lines)
        run = []
        paths = {c.raw_path or path_key(c.path): c.new_blob for c in candidates.get(sha, ())
                 if c.status is not FileStatus.DELETED}
        if paths:
            yield from _read_pairs(git, [(sha, parent) for parent in merges[sha]], {sha: paths},
                                   threshold=max_file_bytes, max_file_bytes=max_file_bytes,
                                   max_file_lines=max_file_lines, paths=_literal_paths(paths))
    yield from _read_pairs(git, run, {}, threshold=max_file_bytes, max_file_bytes=max_file_bytes,
                           max_file_lines=max_file_lines)


def merge_additions(git: Git, merges: Mapping[str, Sequence[str]], *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
                    max_file_lines: int = DEFAULT_MAX_FILE_LINES,
                    keep_text: bool = True) -> Iterator[tuple[str, FilePatch]]:
    """(merge, FilePatch) for each path at which a merge (of `merges`: id -> its parents) holds lines git's own
    re-merge of its parents does not (Git.remerge_patch, what engine.merge_resolutions asks for zones): a side's
    version taken over the one the automatic merge keeps — main's fix undone by an old branch's file, or by a
    merge naming main's own old commit as a parent (red133) — which the combined diff cannot show (it equals one
    parent), and conflict resolutions and edits of the merge's own.

    Where the re-merge cannot tell, a path's lines are those the merge holds against ANY of its parents (more,
    never fewer): a path git's re-merge left in conflict (its version holds both sides between markers, so the
    side the merge kept is no line of the patch: 'keep mine' would add nothing); every path of a merge git does
    not re-merge — an octopus (git skips it), a failure (a parent's history cut by a shallow clone gives no merge
    base and a conflict per path, read the same way), or a path holding a newline (git's conflict note on it is
    free text that could pass for another path's header). Such patches name no parent blob (`old_blobs`), so a
    binary or cut file is read whole and every secret in it counts; none is `created` (the name is a parent's)."""
    held: dict[str, dict[bytes, FilePatch]] = {}  # merges with paths still to read against each parent
    either: dict[str, dict[bytes, str]] = {}  # those paths, with the merge's blob where known
    for sha, parents in merges.items():
        patches: dict[bytes, FilePatch] = {}
        conflicted: set[bytes] | None = None  # None: every path
        if len(parents) == 2:
            try:
                patches, conflicted = _remerge_additions(git, sha, max_file_bytes=max_file_bytes,
                                                         max_file_lines=max_file_lines, keep_text=keep_text)
            except GitError:
                patches, conflicted = {}, None
        if conflicted is None:
            held[sha], either[sha] = {}, {}
        elif conflicted:
            held[sha] = patches
            either[sha] = {key: patches[key].blob or "" if key in patches else "" for key in conflicted}
        else:
            yield from _resolved(sha, patches)
    whole = [sha for sha in held if not either[sha]]
    if whole:
        for sha, changes in git.changed_files_each_parent(whole, ["."]).items():
            either[sha] = {c.raw_path or path_key(c.path): c.new_blob for c in changes
                           if c.status is not FileStatus.DELETED}
    # One diff-tree process for all of them: each merge against each of its parents, the lines any one adds.
    pairs = [(sha, parent) for sha in held if either[sha] for parent in merges[sha][:WIDE_MERGE_PARENTS]]
    paths = {key for sha in held for key in either[sha]}
    for sha, patch in _read_pairs(git, pairs, either, threshold=max_file_bytes, max_file_bytes=max_file_bytes,
                                  max_file_lines=max_file_lines, keep_text=keep_text, paths=_literal_paths(paths),
                                  either=True):
        held[sha][patch.key] = patch
    for sha, patches in held.items():
        yield from _resolved(sha, patches)


def _resolved(sha: str, patches: Mapping[bytes, FilePatch]) -> Iterator[tuple[str, FilePatch]]:
    for patch in patches.values():
        if not patch.deleted:
            yield sha, dataclasses.replace(patch, old_blobs=(), created=False)


def _remerge_additions(git: Git, sha: str, *, max_file_bytes: int, max_file_lines: int,
                       keep_text: bool) -> tuple[dict[bytes, FilePatch], set[bytes] | None]:
    """The merge's patches against git's re-merge, and the paths the re-merge left in conflict (None: every path,
    the output named a path it cannot be read for)."""
    parser = PatchParser(max_file_bytes=max_file_bytes, max_file_lines=max_file_lines, keep_text=keep_text)
    patches: dict[bytes, FilePatch] = {}
    conflicted: set[bytes] = set()
    current: bytes | None = None
    note = False  # the line before was one of git's notes, free text naming paths as they are
    stream = git.remerge_patch(sha, big_file_threshold=max_file_bytes)
    try:
        for raw in stream:
            # (A header line is never a hunk's: those start with +, -, space or backslash.)
            if raw.startswith(b"diff --git "):
                current = _header_path(raw.rstrip(b"\n"))
                if note or b"\n" in current or b"\r" in current:
                    return {}, None  # a name with a line break, whose note could pass for a header
            elif raw.startswith(b"remerge "):
                if current is None:
                    return {}, None
                conflicted.add(current)
            note = raw.startswith(b"remerge ")
            for _, patch in parser.feed(raw):
                patches[patch.key] = patch
        for _, patch in parser.close():
            patches[patch.key] = patch
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()
    return patches, conflicted


# A range's paths named to git as literal pathspecs when there are no more than this: git matches every tree entry
# it walks against each of them (60,000 named in one directory cost it 47 s).
_PATHSPEC_PATHS = 1000
# ... and no more bytes than this: one argv string may hold 128 KiB on Linux, all of them ARG_MAX (~2 MiB with the
# environment) — 1,000 names of a few KB each would not start git.
_PATHSPEC_BYTES = 96 << 10


def _literal_paths(paths: Iterable[bytes]) -> list[bytes] | None:
    """What to name to git for `paths` (raw, from the top; pair_patches makes them literal): the paths themselves,
    else — more than _PATHSPEC_PATHS of them, or more than _PATHSPEC_BYTES — their directories, a level at a time,
    until few and short enough (a superset: the reader keeps the paths it wants); None (every path) when even the
    top-level names are too many or too long."""
    named = set(paths)
    while len(named) > _PATHSPEC_PATHS or sum(len(p) + 16 for p in named) > _PATHSPEC_BYTES:
        wider = {p.rpartition(b"/")[0] or p for p in named}
        if wider == named:
            return None
        named = wider
    return sorted(named)


def _read_pairs(git: Git, pairs: Sequence[tuple[str, str | None]], wanted: Mapping[str, Mapping[bytes, str]], *,
                threshold: int, max_file_bytes: int, max_file_lines: int, keep_text: bool = True,
                paths: Sequence[bytes] | None = None, either: bool = False) -> Iterator[tuple[str, FilePatch]]:
    if not pairs:
        return
    reader = _PairReader(pairs, wanted, max_file_bytes=max_file_bytes, max_file_lines=max_file_lines,
                         keep_text=keep_text, either=either)
    stream = git.pair_patches(pairs, big_file_threshold=threshold, paths=paths)
    try:
        for raw in stream:
            yield from reader.feed(raw)
        yield from reader.close()
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()  # stops (and reaps) git when the caller left early


class _PairReader:
    """The patches of `pair_patches` told apart by pair (each pair's output starts with its commit's id): a
    non-merge's as they come, a merge's joined over its parents (_narrowed: the lines added against all of them;
    with `either`, _widened: against any of them) and given when its last parent's patch ends."""

    def __init__(self, pairs: Sequence[tuple[str, str | None]], wanted: Mapping[str, Mapping[bytes, str]], *,
                 max_file_bytes: int, max_file_lines: int, keep_text: bool = True, either: bool = False) -> None:
        self.pairs = pairs
        self.wanted = wanted
        self.keep_text = keep_text
        self.either = either
        self.parser = PatchParser(max_file_bytes=max_file_bytes, max_file_lines=max_file_lines, keep_text=keep_text)
        self.at = -1  # the pair whose patch is being read
        self.merge: str | None = None  # the merge being read, one parent after another
        self.first = False  # reading the merge's first parent
        self.held: dict[bytes, FilePatch] = {}
        self.seen: set[bytes] = set()  # names this parent's patch named (a name twice: see _take)
        self.pending: FilePatch | None = None  # this parent's last patch, until the next shows it is not its twin

    def feed(self, raw: bytes) -> Iterator[tuple[str, FilePatch]]:
        header = raw[:1] not in (b"+", b"-", b" ", b"\\") and is_sha(raw.strip().decode("ascii", "replace"))
        for _, patch in self.parser.feed(raw):
            yield from self._take(patch)
        if header:
            yield from self._next_pair()

    def close(self) -> Iterator[tuple[str, FilePatch]]:
        for _, patch in self.parser.close():
            yield from self._take(patch)
        yield from self._end_parent()
        yield from self._end_merge()

    def _next_pair(self) -> Iterator[tuple[str, FilePatch]]:
        yield from self._end_parent()
        self.at += 1
        if self.at >= len(self.pairs):
            raise GitError("git printed more patches than it was asked for", "report this: a commit may be unscanned")
        sha, parent = self.pairs[self.at]
        if sha != self.merge:
            yield from self._end_merge()
        if parent is None:
            self.merge, self.first = None, False
            self.parser.keep_text = self.keep_text
        else:
            self.first = sha != self.merge
            self.merge = sha
            self.parser.keep_text = self.keep_text and (self.first or self.either)

    def _take(self, patch: FilePatch) -> Iterator[tuple[str, FilePatch]]:
        if self.at < 0:
            return
        sha = self.pairs[self.at][0]
        if self.merge is None:
            if not patch.deleted:
                yield sha, patch
            return
        if patch.key not in self.wanted[sha]:
            return
        held = self.pending
        if held is not None and held.key == patch.key:
            # A type change (a symlink made a file) is a deletion and a creation of one name, printed together:
            # the creation counts; two of one name that both stay (a file and a gitlink) add both their lines.
            if patch.deleted:
                return
            if not held.deleted:
                patch = dataclasses.replace(patch, added=tuple(sorted(set(held.added) | set(patch.added))),
                                            binary=held.binary or patch.binary,
                                            truncated=held.truncated or patch.truncated)
            self.pending = patch
            return
        self._settle()
        self.pending = patch

    def _settle(self) -> None:
        """The pending patch joined into what the merge holds."""
        patch, self.pending = self.pending, None
        if patch is None:
            return
        key = patch.key
        if key in self.seen:
            # (Never seen: git prints one name's entries together. Cut twice, the lines could not be told: the
            # whole file is read instead.)
            if key in self.held:
                self.held[key] = dataclasses.replace(self.held[key], truncated=True)
            return
        self.seen.add(key)
        if key not in self.held:
            if self.first or self.either:
                self.held[key] = patch
        elif self.either:
            self.held[key] = _widened(self.held[key], patch)
        else:
            self.held[key] = _narrowed(self.held[key], patch)

    def _end_parent(self) -> Iterator[tuple[str, FilePatch]]:
        self._settle()
        self.seen = set()
        return iter(())

    def _end_merge(self) -> Iterator[tuple[str, FilePatch]]:
        if self.merge is None:
            return
        blobs = self.wanted[self.merge]
        held, self.held = self.held, {}
        for key, patch in held.items():
            if not patch.deleted:
                # (A mode change alone prints no index line: the blob is the one the raw listing named.)
                yield self.merge, patch if patch.blob else dataclasses.replace(patch, blob=blobs[key])
        self.merge = None


def _narrowed(held: FilePatch, patch: FilePatch) -> FilePatch:
    """`held` (the first parent's patch of a path, as cut so far) and a further parent's patch of it as one: the
    lines both add (text from `held`), binary or truncated when either is, created when new against both."""
    numbers = patch.line_numbers
    return dataclasses.replace(
        held, added=tuple(line for line in held.added if line[0] in numbers),
        binary=held.binary or patch.binary, truncated=held.truncated or patch.truncated,
        created=held.created and patch.created, deleted=held.deleted or patch.deleted, joined=(),
        old_blobs=held.old_blobs + patch.old_blobs[:1], mode=held.mode or patch.mode, blob=held.blob or patch.blob)


def _widened(held: FilePatch, patch: FilePatch) -> FilePatch:
    """`held` and a further parent's patch of the same path as one: the lines either adds."""
    lines = dict(held.added)
    for number, text in patch.added:
        lines.setdefault(number, text)
    return dataclasses.replace(
        held, added=tuple(sorted(lines.items())), binary=held.binary or patch.binary,
        truncated=held.truncated or patch.truncated, deleted=held.deleted and patch.deleted, joined=(),
        mode=held.mode or patch.mode, blob=held.blob or patch.blob)


def boundary(parents: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """The parents of the range's commits that are not themselves in the range (its base commits)."""
    inside = set(parents)
    return tuple(dict.fromkeys(p for ps in parents.values() for p in ps if p not in inside))


def range_additions(git: Git, bases: Sequence[str], head: str, *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
                    max_file_lines: int = 1_000_000) -> dict[bytes, FilePatch]:
    """Per raw path, the line numbers at `head` that the range added (no text kept: the tools read files).
    With several boundary commits: the paths that differ from every one of them (`range_files`), each diffed
    against each boundary, the lines added against all kept (as a merge's, _PairReader: a combined diff's
    memory is quadratic in a file's lines)."""
    patches: Iterable[tuple[str | None, FilePatch]]
    if len(bases) > 1:
        kept = bases[:WIDE_MERGE_PARENTS]
        paths = {c.raw_path or path_key(c.path): c.new_blob for c in git.range_files(kept, head)
                 if c.status is not FileStatus.DELETED}
        patches = _read_pairs(git, [(head, base) for base in kept] if paths else [], {head: paths},
                              threshold=max_file_bytes, max_file_bytes=1 << 62, max_file_lines=max_file_lines,
                              keep_text=False, paths=_literal_paths(paths))
    else:
        stream = git.range_patch(bases, head, big_file_threshold=max_file_bytes)
        # Line numbers only: the byte cap does not apply (the text is not kept), the line cap does.
        patches = parse_patch(stream, max_file_bytes=1 << 62, max_file_lines=max_file_lines, keep_text=False)
    result: dict[bytes, FilePatch] = {}
    for _, patch in patches:
        if patch.deleted:
            continue
        earlier = result.get(patch.key)
        if earlier is not None:
            # Two patches for one name (a tree holding a file and a gitlink both called `x`): keep the
            # union of their lines, so neither can hide the other's added lines.
            patch = dataclasses.replace(patch, added=tuple(sorted(set(earlier.added) | set(patch.added))),
                                        binary=earlier.binary or patch.binary,
                                        truncated=earlier.truncated or patch.truncated)
        result[patch.key] = patch
    return result


def _header_path(line: bytes) -> bytes:
    """The path of a `diff --git a/P b/P` or `diff --cc P` line (renames are off, so both sides agree)."""
    if line.startswith(b"diff --git "):
        rest = line[len(b"diff --git "):]
        if rest.startswith(b'"'):
            first = _quoted_end(rest)
            path = _unquote(rest[:first])
        else:
            return rest[2 : 2 + (len(rest) - 5) // 2]
        return path[2:] if path.startswith(b"a/") else path
    rest = line.split(b" ", 2)[2] if line.count(b" ") >= 2 else b""
    return _unquote(rest)


def _quoted_end(data: bytes) -> int:
    """Index just past the closing quote of a C-quoted string starting at data[0]."""
    i = 1
    while i < len(data):
        if data[i] == ord("\\"):
            i += 2
            continue
        if data[i] == ord('"'):
            return i + 1
        i += 1
    return len(data)


def _unquote(data: bytes) -> bytes:
    """git's C-style path quoting undone (`"a\\nb"` → a, newline, b); unquoted input as is."""
    if not (len(data) >= 2 and data.startswith(b'"') and data.endswith(b'"')):
        return data
    body = data[1:-1]
    out = bytearray()
    i = 0
    while i < len(body):
        c = body[i]
        if c == ord("\\") and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in _C_ESCAPES:
                out.append(_C_ESCAPES[nxt])
                i += 2
                continue
            octal = body[i + 1 : i + 4]
            if len(octal) == 3 and all(ord("0") <= d <= ord("7") for d in octal):
                out.append(int(octal, 8) & 0xFF)
                i += 4
                continue
        out.append(c)
        i += 1
    return bytes(out)
