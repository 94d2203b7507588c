"""Objects in the store: existence, types and sizes, `cat-file --batch` readers, trees and tag objects.

Contents are read from the object store only (never a work tree); sizes come from object headers so an
object over a limit is skipped without being held in memory.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import select
import tempfile
import time
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from gatekeeper import process
from gatekeeper.errors import GitError
from gatekeeper.git._runner import Runner, _check_rev_token, _feed, _widen
from gatekeeper.models import display_path, is_sha


@dataclass(frozen=True, slots=True)
class TreeEntry:
    mode: str  # "100644", "100755", "120000" (symlink), "160000" (gitlink), "040000" (tree)
    type: str  # "blob", "tree", "commit"
    sha: str
    path: str  # display_path of `raw`
    raw: bytes = b""


class Objects(Runner):
    """Questions about objects: what they are, how big, their bytes."""

    def object_exists(self, sha: str) -> bool:
        return self._run("cat-file", "-e", sha, check=False).returncode == 0

    def object_type(self, sha: str) -> str | None:
        proc = self._run("cat-file", "-t", sha, check=False)
        return proc.stdout.decode().strip() if proc.returncode == 0 else None

    def object_sizes(self, shas: Iterable[str]) -> dict[str, int | None]:
        """Sizes of objects from their headers only (one `cat-file --batch-check`); None when missing."""
        return {name: int(size) if size is not None and size.isdigit() else None
                for name, size in self._batch_check(shas, "objectsize").items()}

    def object_types(self, shas: Iterable[str]) -> dict[str, str | None]:
        """Types of objects (one `cat-file --batch-check`); None when missing."""
        return {name: kind if kind in ("blob", "tree", "commit", "tag") else None
                for name, kind in self._batch_check(shas, "objecttype").items()}

    def _batch_check(self, shas: Iterable[str], field: str) -> dict[str, str | None]:
        """`%(field)` of each distinct object id (other strings dropped) from one `cat-file --batch-check`, as
        git printed it (`missing` for an object it cannot read); None when git printed no line for the id."""
        wanted = [s for s in dict.fromkeys(shas) if is_sha(s)]
        if not wanted:
            return {}
        out = self._out("cat-file", f"--batch-check=%(objectname) %({field})",
                       input="".join(f"{s}\n" for s in wanted).encode())
        values: dict[str, str | None] = dict.fromkeys(wanted)
        for line in out.splitlines():
            name, _, value = line.partition(" ")
            if name in values:
                values[name] = value
        return values

    def peel(self, shas: Iterable[str]) -> dict[str, tuple[str, str]]:
        """(type, id) of the object each id names once annotated tags are peeled (one `cat-file
        --batch-check`); ("missing", id) when git cannot read it."""
        wanted = [s for s in dict.fromkeys(shas) if is_sha(s)]
        if not wanted:
            return {}
        out = self._out("cat-file", "--batch-check=%(objectname) %(objecttype)",
                       input="".join(f"{s}^{{}}\n" for s in wanted).encode())
        result: dict[str, tuple[str, str]] = {}
        for sha, line in zip(wanted, out.splitlines(), strict=False):
            fields = line.split()
            if len(fields) == 2 and is_sha(fields[0]):
                result[sha] = (fields[1], fields[0])
            else:
                result[sha] = ("missing", sha)
        return result

    def blobs_at(self, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """The blob at each (commit, path) that has one (one `cat-file --batch-check` of `commit:path` names).
        A path `commit:path` cannot name — a newline in it, an empty, `.` or `..` component (git reads those
        relative to a work tree, or refuses them; no checkout writes such a path) — is left out."""
        pairs = [(c, p) for c, p in dict.fromkeys(wanted)
                 if is_sha(c) and p and "\n" not in p and "\r" not in p
                 and not any(part in ("", ".", "..") for part in p.split("/"))]
        if not pairs:
            return {}
        names = b"".join(f"{c}:{p}\n".encode("utf-8", "surrogateescape") for c, p in pairs)
        proc = self._run("cat-file", "--batch-check=%(objectname) %(objecttype)", input=names)
        result: dict[tuple[str, str], str] = {}
        for pair, line in zip(pairs, proc.stdout.splitlines(), strict=False):
            fields = line.split()
            if len(fields) == 2 and fields[1] == b"blob" and is_sha(fields[0].decode("ascii", "replace")):
                result[pair] = fields[0].decode("ascii")
        return result

    def checkout_attribute(self, commit: str | Mapping[bytes, str], paths: Sequence[bytes], name: str, *,
                           ignore_case: bool = False) -> dict[bytes, str]:
        """The value git gives attribute `name` for each of `paths` in `commit`'s tree, as git reads the tree's own
        `.gitattributes` (every quoting, macro, wildmatch and line-ending rule its own): the tree read into a
        private index, then `check-attr --cached` in an empty work tree — user and system attribute files off,
        the repository's `info/attributes` on, as for every command here. `unspecified`, `set` and `unset` are
        git's words for the non-values. `ignore_case`: as a clone on macOS or Windows matches patterns
        (`core.ignorecase`, which `git clone` sets there). One `read-tree` and one `check-attr` per call.
        `commit` may instead be the `.gitattributes` files themselves (raw path → blob id): an index of only
        those is built (`update-index --index-info`), far cheaper than a large tree, and git's answer is the
        same, since check-attr reads nothing else from the index."""
        if (isinstance(commit, str) and not is_sha(commit)) or not paths:
            return {}
        if isinstance(commit, str):
            fill: tuple[tuple[str, ...], bytes | None] = (("read-tree", commit), None)
        else:
            fill = (("update-index", "--add", "-z", "--index-info"),
                    b"".join(b"100644 " + blob.encode() + b"\t" + path + b"\0" for path, blob in commit.items()
                             if is_sha(blob)))
        work, base = self._attr_free()
        with tempfile.TemporaryDirectory(prefix="gatekeeper-attr-") as private:
            env = {**base, "GIT_INDEX_FILE": str(Path(private) / "index")}
            for args, data in (fill,
                               (("check-attr", "--cached", "-z", "--stdin", name), b"".join(p + b"\0" for p in paths))):
                argv = self._argv(*(("-c", "core.ignorecase=true") if ignore_case else ()), *args)
                try:
                    proc = process.run(argv, cwd=work, env=env, input=data, timeout=self.timeout,
                                       foreground=self._foreground)
                except process.Timeout as exc:
                    raise GitError(f"git {args[0]} timed out", "retry, or check the repository",
                                   argv=tuple(argv)) from exc
                if proc.returncode != 0:
                    stderr = proc.stderr.decode("utf-8", "replace").strip()
                    raise GitError(f"git {args[0]} failed: {stderr.splitlines()[0] if stderr else ''}",
                                   "check the repository with `git fsck`", argv=tuple(argv), stderr=stderr)
        fields = proc.stdout.split(b"\0")
        return {fields[i]: fields[i + 2].decode("utf-8", "replace") for i in range(0, len(fields) - 2, 3)}

    def first_parent_changes(self, merges: Sequence[str]) -> list[tuple[str, bytes, str, str, str, str]]:
        """(merge, raw path, old blob, new blob, old mode, new mode) for every file each merge changes against its first
        parent — what a merge brings onto the branch it was made on, which its combined diff does not show
        when each side's file matches one parent. One `git log --no-walk`."""
        wanted = "".join(f"{sha}\n" for sha in merges if is_sha(sha))
        if not wanted:
            return []
        proc = self._run("log", "--no-walk=unsorted", "--stdin", "--format=%x00%H", "--raw", "-z", "--no-abbrev",
                         "--no-renames", "--first-parent", "-m", input=wanted.encode())
        found: list[tuple[str, bytes, str, str, str, str]] = []
        current: str | None = None
        tokens = proc.stdout.split(b"\0")
        index = 0
        while index < len(tokens):
            token = tokens[index].strip(b"\n")
            index += 1
            if is_sha(token.decode("ascii", "replace")):
                current = token.decode("ascii")
            elif token.startswith(b":") and current is not None and index < len(tokens):
                fields = token[1:].split()
                path = tokens[index]
                index += 1
                if len(fields) == 5:
                    found.append((current, path, fields[2].decode("ascii"), fields[3].decode("ascii"),
                                  fields[0].decode("ascii"), fields[1].decode("ascii")))
        return found

    def tag_messages(self, sha: str, *, max_depth: int = 8) -> list[tuple[str, str]]:
        """(tag object id, message) of the annotated tag `sha` and of tags it points at in turn
        (a tag of a tag); [] when `sha` is no tag object. Messages are commit data: hostile text."""
        return [(tag, raw.partition(b"\n\n")[2].decode("utf-8", "replace"))
                for tag, raw in self.tag_objects(sha, max_depth=max_depth)]

    def commit_message(self, sha: str) -> str:
        """The message of commit `sha` as stored (everything after the header block; signature lines are
        indented, never empty); GitError when it is no commit."""
        raw = self._run("cat-file", "commit", sha).stdout
        return raw.split(b"\n\n", 1)[1].decode("utf-8", "replace") if b"\n\n" in raw else ""

    def tag_objects(self, sha: str, *, max_depth: int = 8) -> list[tuple[str, bytes]]:
        """(tag object id, raw object bytes) of the annotated tag `sha` and of the tags it points at in
        turn, read through one `cat-file --batch`; [] when `sha` is no tag object."""
        found: list[tuple[str, bytes]] = []
        with self.batch() as reader:
            for _ in range(max_depth):
                if not is_sha(sha):
                    break
                kind, raw = reader.read(sha)
                if kind != "tag" or raw is None:
                    break
                found.append((sha, raw))
                header = raw.partition(b"\n\n")[0]
                sha = next((line[7:].decode("ascii", "replace") for line in header.split(b"\n")
                            if line.startswith(b"object ")), "")
        return found

    def empty_tree(self) -> str:
        """The id of the empty tree in this repository's hash algorithm (sha1 or sha256)."""
        return self._out("hash-object", "-t", "tree", "--stdin", input=b"").strip()

    def missing_objects(self, commits: Sequence[str]) -> set[str]:
        """Trees and blobs in the trees of `commits` (each one's whole tree, not walked to its parents) that
        this repository does not have: pass the range's commits and its base commits to cover both sides
        of every diff.

        `rev-list --missing=print` lists them without fetching (a partial clone would otherwise ask its
        promisor remote for each) and without failing; a damaged repository's lost objects show the same.
        """
        if not commits:
            return set()
        for rev in commits:
            _check_rev_token(rev)
        out = self._out("rev-list", "--objects", "--missing=print", "--no-object-names", "--no-walk=unsorted",
                       "--stdin", input="".join(f"{r}\n" for r in dict.fromkeys(commits)).encode())
        return {line[1:].strip() for line in out.splitlines() if line.startswith("?")}

    def batch(self) -> BlobReader:
        return BlobReader(self)

    def nul_scan(self, *, max_size: int | None = None) -> NulScan:
        return NulScan(self, max_size=max_size)

    def read_objects(self, shas: Iterable[str], *, max_size: int | None = None) -> dict[str, tuple[str, bytes | None]]:
        """type and content per object id; content None when over max_size or missing.

        Pipelined: every request is written by a feeder thread while the answers are read, instead of
        one request/answer round trip per object (20,000 commit objects: ~1.4 s -> ~0.1 s)."""
        wanted = list(dict.fromkeys(shas))
        for sha in wanted:
            if not is_sha(sha):
                raise GitError(f"invalid object id {sha!r}", "this is a bug in gatekeeper; please report it")
        if not wanted:
            return {}
        argv = self._argv("cat-file", "--batch")
        proc = process.Child(argv, cwd=self.path, env=self._env, stdin="pipe", stderr="devnull",
                             foreground=self._foreground)
        feeder = process.start_thread(_feed, proc.stdin, "".join(f"{s}\n" for s in wanted).encode())
        result: dict[str, tuple[str, bytes | None]] = {}
        assert proc.stdout is not None
        try:
            for sha in wanted:
                header = proc.stdout.readline()
                if not header:
                    raise GitError("git cat-file --batch stopped unexpectedly", "check the repository with `git fsck`")
                parts = header.decode().split()
                if len(parts) == 2 and parts[1] == "missing":
                    result[sha] = ("missing", None)
                    continue
                if len(parts) != 3:
                    raise GitError(f"unexpected cat-file header {header[:80]!r}",
                                   "check the repository with `git fsck`")
                kind, size = parts[1], int(parts[2])
                if max_size is not None and size > max_size:
                    _discard(proc.stdout, size + 1)
                    result[sha] = (kind, None)
                    continue
                data = _read_exact(proc.stdout, size)
                proc.stdout.read(1)  # the newline after each object
                result[sha] = (kind, data)
        finally:
            proc.stdout.close()
            feeder.join(timeout=self.timeout)
            proc.wait(timeout=10)
            proc.close()
        return result

    def show_file(self, rev: str, path: str) -> bytes | None:
        """A file's bytes at a revision, read from the object store (never the work tree)."""
        proc = self._run("cat-file", "blob", f"{rev}:{path}", check=False)
        return proc.stdout if proc.returncode == 0 else None

    def tree_files(self, rev: str, paths: Sequence[str]) -> dict[str, tuple[str, str]]:
        """`{path: (mode, object id)}` of every file at or under `paths` (literal) at `rev`; one process.
        Keys are display paths (lossless, see models.display_path)."""
        _check_rev_token(rev)
        if not paths:
            return {}
        proc = self._run("ls-tree", "-r", "-z", "--full-tree", rev, "--", *paths, check=False)
        if proc.returncode != 0:
            raise GitError(f"cannot list the files of {rev[:12]}", "check the repository with `git fsck`")
        files: dict[str, tuple[str, str]] = {}
        for record in proc.stdout.split(b"\x00"):
            meta, tab, name = record.partition(b"\t")
            fields = meta.decode("ascii", "replace").split()
            if tab and len(fields) == 3:
                files[display_path(name)] = (fields[0], fields[2])
        return files

    def entries_beneath(self, commit: str, directory: str) -> list[TreeEntry]:
        """Every entry beneath `directory` ("" for all) in `commit`'s tree, recursively, the directory named as a
        literal path from the top (a name such as `:deploy` is no pathspec magic here, red32); GitError when git
        cannot list it."""
        if not is_sha(commit):
            raise GitError(f"not a commit id: {commit!r}", "this is a bug in gatekeeper; please report it")
        args = ["ls-tree", "-r", "-z", "--full-tree", commit]
        if directory:
            args += ["--", f":(top,literal){directory}"]
        entries: list[TreeEntry] = []
        for record in self._run(*args).stdout.split(b"\x00"):
            meta, tab, name = record.partition(b"\t")
            fields = meta.decode("ascii", "replace").split()
            if tab and len(fields) == 3:
                entries.append(TreeEntry(fields[0], fields[1], fields[2], display_path(name), name))
        return entries

    def tree_entries(self, rev: str, path: str, *, recursive: bool = False) -> list[TreeEntry]:
        """Entries named `path` at `rev` (with `recursive`, every file beneath it), from `ls-tree -z`;
        modes tell files from symlinks and gitlinks, which callers must not follow."""
        _check_rev_token(rev)
        args = ["ls-tree", "-z", "--full-tree"]
        if recursive:
            args.append("-r")
        proc = self._run(*args, rev, "--", path, check=False)
        if proc.returncode != 0:
            return []
        entries: list[TreeEntry] = []
        for record in proc.stdout.split(b"\x00"):
            meta, tab, name = record.partition(b"\t")
            fields = meta.decode("ascii", "replace").split()
            if tab and len(fields) == 3:
                entries.append(TreeEntry(fields[0], fields[1], fields[2], display_path(name), name))
        return entries

    def tree_blobs(self, tree: str) -> list[TreeEntry]:
        """Every entry of a tree, recursively, from `ls-tree -r -t -z`: its blobs (the content), and its directories
        and gitlinks, which have no content here but whose names are in the tree as much as a file's (a clone writes
        a gitlink's directory; an empty directory's name is in every clone's tree objects: red163)."""
        if not is_sha(tree):
            raise GitError(f"invalid tree id {tree!r}", "this is a bug in gatekeeper; please report it")
        entries: list[TreeEntry] = []
        for record in self._run("ls-tree", "-r", "-t", "-z", "--full-tree", tree).stdout.split(b"\x00"):
            meta, tab, name = record.partition(b"\t")
            fields = meta.decode("ascii", "replace").split()
            if tab and len(fields) == 3:
                entries.append(TreeEntry(fields[0], fields[1], fields[2], display_path(name), name))
        return entries


class BlobReader:
    """One long-lived `git cat-file --batch` process; object sizes are checked before reading."""

    def __init__(self, git: Objects) -> None:
        self.git = git
        self._proc: process.Child | None = None

    def __enter__(self) -> BlobReader:
        argv = self.git._argv("cat-file", "--batch")
        self._proc = process.Child(argv, cwd=self.git.path, env=self.git._env, stdin="pipe", stderr="devnull",
                                   foreground=self.git._foreground)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None:
            assert self._proc.stdin is not None and self._proc.stdout is not None
            self._proc.stdin.close()
            self._proc.stdout.close()
            self._proc.wait(timeout=10)
            self._proc.close()
            self._proc = None

    def read(self, sha: str, *, max_size: int | None = None) -> tuple[str, bytes | None]:
        """(type, content); type "missing" for unknown ids; content None when larger than max_size."""
        kind, _size, data = self.read_sized(sha, max_size=max_size)
        return kind, data

    def read_sized(self, sha: str, *, max_size: int | None = None) -> tuple[str, int, bytes | None]:
        """(type, size, content): the size comes from cat-file's header, so an object over max_size is
        skipped without being held in memory (its bytes are drained from the pipe in 1 MiB chunks)."""
        kind, size = self._request(sha)
        if kind == "missing":
            return "missing", 0, None
        assert self._proc is not None and self._proc.stdout is not None
        if max_size is not None and size > max_size:
            _discard(self._proc.stdout, size + 1)
            return kind, size, None
        data = _read_exact(self._proc.stdout, size)
        self._proc.stdout.read(1)  # the newline after each object
        return kind, size, data

    def read_head(self, sha: str, limit: int) -> tuple[str, int, bytes | None]:
        """(type, size, the first `limit` bytes of the content; None when missing): the rest is drained unread."""
        kind, size = self._request(sha)
        if kind == "missing":
            return "missing", 0, None
        assert self._proc is not None and self._proc.stdout is not None
        head = _read_exact(self._proc.stdout, min(limit, size))
        _discard(self._proc.stdout, size - len(head) + 1)
        return kind, size, head

    def _request(self, sha: str) -> tuple[str, int]:
        """Ask for one object; (type, size) from cat-file's header, ("missing", 0) for an unknown id."""
        if self._proc is None:
            raise RuntimeError("BlobReader used outside its context")
        if not is_sha(sha):
            raise GitError(f"invalid object id {sha!r}", "this is a bug in gatekeeper; please report it")
        assert self._proc.stdin is not None and self._proc.stdout is not None
        stdin, stdout = self._proc.stdin, self._proc.stdout
        stdin.write(f"{sha}\n".encode())
        stdin.flush()
        header = stdout.readline()
        if not header:
            raise GitError("git cat-file --batch stopped unexpectedly", "check the repository with `git fsck`")
        parts = header.decode().split()
        if len(parts) == 2 and parts[1] == "missing":
            return "missing", 0
        if len(parts) != 3:
            raise GitError(f"unexpected cat-file header {header[:80]!r}", "check the repository with `git fsck`")
        return parts[1], int(parts[2])

    def size(self, sha: str) -> int | None:
        kind, data = self.read(sha, max_size=0)
        # Cheap enough for the rare caller: batch-check would need a second process.
        return None if kind == "missing" else (len(data) if data is not None else -1)


def _read_exact(stream: object, size: int) -> bytes:
    read = stream.read  # type: ignore[attr-defined]
    chunks: list[bytes] = []
    remaining = size
    while remaining > 0:
        chunk = read(min(remaining, 1 << 20))
        if not chunk:
            raise GitError("git cat-file --batch output ended early", "check the repository with `git fsck`")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _discard(stream: object, size: int) -> None:
    read = stream.read  # type: ignore[attr-defined]
    remaining = size
    while remaining > 0:
        chunk = read(min(remaining, 1 << 20))
        if not chunk:
            break
        remaining -= len(chunk)



class NulScan:
    """Which commits of a long walk store a NUL byte. git reads a commit's text only up to one (`log`'s formats,
    `%B`, the trailers), so the records a walk reads cannot show it; the stored object, which `cat-file`, fsck,
    libgit2 and forges read whole, can (identity_doubt). The audit sends every commit it walks here.

    One `git cat-file --batch --buffer`, fed the ids of each batch (`send`) followed by a random short name no object
    has, whose `missing` line closes the batch in the output. Its output is only searched for two byte strings: a
    NUL, and the closing line (156 random bits: no commit text can hold it). So the Python work per commit is writing
    its id; git reads the objects beside the walk, on the other core. Only a batch whose output held a NUL is read
    again object by object (`through`), to say which commit.

    Both pipes are driven from the caller's thread without blocking (no reader thread to take the interpreter from
    the walk): each `send` writes what cat-file will take and reads what it has written, and `through` waits on
    both until the batches asked for are answered. cat-file writes its output in stdio blocks (`--buffer`: a
    flush per object would cost a read per commit), so a batch's answer may stay in its buffer while too little
    follows it: `through` then asks for ids no object has, whose `missing` lines push it out, or, with `last`,
    closes cat-file's input (the scan is spent then)."""

    READ = 1 << 20
    STALL = 0.02  # seconds of waiting before a push
    FILLER = 256  # ids per push (about 12 KB of `missing` lines: more than a stdio buffer holds)

    def __init__(self, git: Objects, *, max_size: int | None = None) -> None:
        """`max_size`: a bigger commit is not looked into (the gate reads none that big either). OSError when
        cat-file cannot be started and driven here."""
        self.git = git
        self.max_size = max_size
        # 39 hex digits: a short name no object has. (A full id that no object has sends git, in a partial clone, to
        # fetch it from the promisor remote: red92, thousands of failed `git fetch` processes.)
        self._marker = secrets.token_hex(20)[:39].encode()
        self._closing = self._marker + b" missing\n"
        self._filler = (secrets.token_hex(20)[:39] + "\n").encode() * self.FILLER
        if not hasattr(select, "poll"):  # (not on Windows: the audit says the scan did not run)
            raise OSError("this platform has no poll() for non-blocking pipes")
        argv = git._argv("cat-file", "--batch", "--buffer")
        self._proc = process.Child(argv, cwd=git.path, env=git._env, stdin="pipe", stderr="devnull",
                                   foreground=git._foreground)
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._in: int | None = self._proc.stdin.fileno()
        self._out: int | None = self._proc.stdout.fileno()
        try:
            os.set_blocking(self._in, False)
            os.set_blocking(self._out, False)
        except OSError:
            self._proc.close()
            raise
        _widen(self._proc.stdout)  # (1 MiB where Linux allows: fewer, larger reads)
        self._pending = bytearray()  # input cat-file has not taken yet
        self._batches: deque[tuple[list[bytes], int]] = deque()  # (ids, running count of ids sent) not yet answered
        self._held: list[list[bytes]] = []  # answered batches whose output held a NUL
        self._sent = 0  # commits sent so far
        self._answered = 0  # commits of the batches answered (in order)
        self._tail = b""  # the end of the output read so far, as long as a closing line but one byte
        self._nul = False  # the output of the batch being read holds a NUL
        self._error: str | None = None
        self._found: set[str] = set()
        self._reader: BlobReader | None = None

    @property
    def error(self) -> str | None:
        return self._error

    @property
    def found(self) -> set[str]:
        """The commits named so far (what `through` returns), also after a failure."""
        return self._found

    def send(self, ids: Sequence[bytes]) -> None:
        """Queue these commit ids (hex, as git prints them). After `error` is set, nothing more is sent."""
        if not ids or self._error is not None:
            return
        self._sent += len(ids)
        self._batches.append((list(ids), self._sent))
        self._pending += b"\n".join(ids)
        self._pending += b"\n" + self._marker + b"\n"
        self._pump()

    def through(self, count: int, *, last: bool = False) -> set[str]:
        """The ids of the commits that hold a NUL among (at least) the first `count` sent, once all of them are read:
        the scan's own set, from which the caller removes the ids it is done with. Raises GitError when the scan
        stopped before reaching them. `last`: nothing more will be sent (cat-file is told so once it has taken
        what was sent, and writes what it holds). Waits are bounded as every git call is."""
        deadline = time.monotonic() + self.git.timeout
        stalled = time.monotonic() + self.STALL
        while self._answered < count and self._error is None:
            self._pump()
            if last and not self._pending:
                self._end_input()
            if self._answered >= count or self._error is not None:
                break
            now = time.monotonic()
            if now > deadline:
                self._error = f"git cat-file --batch did not answer within {self.git.timeout:.0f} s"
                break
            if now > stalled and not last and not self._pending:
                self._pending += self._filler
                stalled = now + self.STALL
            if self._out is None:
                break
            # (poll, not select: a process with a thousand descriptors open numbers these pipes past select's limit.)
            poller = select.poll()
            poller.register(self._out, select.POLLIN)
            if self._pending and self._in is not None:
                poller.register(self._in, select.POLLOUT)
            poller.poll(self.STALL * 1000)
        if self._answered < count:
            raise GitError(f"could not look for NUL bytes in the stored commits: {self._error or 'cat-file ended'}",
                           "check the repository with `git fsck`")
        held, self._held = self._held, []
        for ids in held:
            self._find(ids)
        return self._found

    def _pump(self) -> None:
        """Write what cat-file takes of the pending input, read what it has written; neither waits."""
        if self._pending and self._in is not None:
            try:
                written = os.write(self._in, self._pending)
            except BlockingIOError:
                written = 0
            except OSError as exc:
                self._fail(f"git cat-file --batch stopped taking commits ({exc.__class__.__name__})")
                return
            del self._pending[:written]
        while self._out is not None:
            try:
                chunk = os.read(self._out, self.READ)
            except BlockingIOError:
                return
            except OSError as exc:
                self._fail(f"reading git cat-file --batch failed ({exc.__class__.__name__})")
                return
            if not chunk:
                self._out = None
                if self._answered < self._sent:
                    self._fail("git cat-file --batch stopped before it read every commit")
                return
            self._scan(chunk)

    def _scan(self, chunk: bytes) -> None:
        closing = self._closing
        data = self._tail + chunk if self._tail else chunk
        pos = 0
        while (at := data.find(closing, pos)) >= 0:
            held = self._nul or data.find(b"\0", pos, at) >= 0
            if self._batches:
                ids, self._answered = self._batches.popleft()
                if held:
                    self._held.append(ids)
            self._nul = False
            pos = at + len(closing)
        self._nul = self._nul or data.find(b"\0", pos) >= 0
        self._tail = data[max(pos, len(data) - len(closing) + 1) :]

    def _find(self, ids: list[bytes]) -> None:
        """Read a batch that held a NUL again, an object at a time: which commit (up to the size the gate reads)."""
        if self._reader is None:
            self._reader = self.git.batch().__enter__()
        for raw_id in ids:
            sha = raw_id.decode("ascii", "replace")
            kind, data = self._reader.read(sha, max_size=self.max_size)
            if kind == "commit" and data is not None and b"\0" in data:
                self._found.add(sha)

    def _fail(self, why: str) -> None:
        if self._error is None:
            self._error = why

    def _end_input(self) -> None:
        if self._in is not None:
            self._in = None
            with contextlib.suppress(OSError, ValueError):
                assert self._proc.stdin is not None
                self._proc.stdin.close()

    def close(self) -> None:
        self._end_input()
        if self._out is None:  # (it wrote all it had: it is ending; otherwise it may wait on a full pipe: killed)
            self._proc.wait(timeout=10)
        self._proc.close()
        self._out = None
        if self._reader is not None:
            self._reader.__exit__(None, None, None)
            self._reader = None
