"""git notes: reading a notes ref (validated as a real notes commit first, so a broken ref is an
error and never "no notes"), reading a pushed notes commit that is not a ref yet, and writing a note."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from gatekeeper.errors import GitError
from gatekeeper.git._runner import _first_line
from gatekeeper.git.refs import Refs
from gatekeeper.models import is_sha
from gatekeeper.sanitize import clip

NOTES_REF = "refs/notes/origin"


class BrokenNotes(GitError):
    """A notes ref that is not a notes commit: reading it as notes is impossible."""

    def __init__(self, ref: str, tip: str, problem: str, path: str | None = None) -> None:
        super().__init__(f"{ref} is not a notes ref: {problem}",
                         f"an administrator must repair or delete it (`git update-ref -d {ref}` in the repository)")
        self.ref = ref
        self.tip = tip
        self.problem = problem
        self.path = path  # the offending tree path, whole (the problem quotes it cut): read by the redaction


class Notes(Refs):
    """Questions about git notes."""

    def notes(self, shas: Iterable[str], ref: str = NOTES_REF, *, max_size: int = 64 * 1024) -> dict[str, str]:
        """git notes under `ref` for the given commits (empty when the notes ref does not exist); notes
        larger than `max_size` are left out. BrokenNotes when the ref is not a notes commit (a pushed
        blob, a commit whose tree holds something else): git's own `notes list` would fail on it."""
        wanted = set(shas)
        if not wanted:
            return {}
        tip = self._ref_tip(ref)
        if tip is None:
            return {}
        index, problem, path = self.notes_index(tip)
        if problem is not None:
            raise BrokenNotes(ref, tip, problem, path)
        return self._note_texts({c: b for c, b in index.items() if c in wanted}, max_size)

    def notes_shas(self, ref: str = NOTES_REF) -> set[str]:
        """The objects that have a note under `ref` (what a history audit asks first); BrokenNotes as in
        notes()."""
        tip = self._ref_tip(ref)
        if tip is None:
            return set()
        index, problem, path = self.notes_index(tip)
        if problem is not None:
            raise BrokenNotes(ref, tip, problem, path)
        return set(index)

    def notes_at(self, notes_commit: str, shas: Iterable[str], *, max_size: int = 64 * 1024) -> dict[str, str]:
        """Notes as stored in a notes commit that is not (yet) a ref: the tip a push brings for a notes
        ref, read from the quarantine (empty when it is not a well-formed notes commit: the push's
        check refuses that)."""
        wanted = set(shas)
        if not wanted or not is_sha(notes_commit):
            return {}
        index, problem, _path = self.notes_index(notes_commit)
        if problem is not None:
            return {}
        return self._note_texts({c: b for c, b in index.items() if c in wanted}, max_size)

    def _ref_tip(self, ref: str) -> str | None:
        """The object a ref names (whatever its type); None when the ref does not exist."""
        proc = self._run("rev-parse", "--verify", "--quiet", "--end-of-options", ref, check=False)
        tip = proc.stdout.decode().strip()
        return tip if proc.returncode == 0 and is_sha(tip) else None

    def notes_index(self, tip: str) -> tuple[dict[str, str], str | None, str | None]:
        """(annotated object id -> note blob id, None, None) for a well-formed notes commit, else ({}, what is
        wrong, the offending tree path whole or None). A notes tree holds only blobs named by the full id of
        the object they annotate, possibly split into two-digit fan-out directories (ab/cdef…), as `git notes`
        writes it. The problem quotes the path cut to 120 characters; the whole one is for the redaction of
        what the gate prints (a token in the path: red18)."""
        if not is_sha(tip):
            return {}, "not an object id", None
        kind = self.object_type(tip)
        if kind != "commit":
            return {}, f"it names a {kind or 'missing object'}, not a notes commit", None
        proc = self._run("ls-tree", "-r", "-z", "--full-tree", tip, check=False)
        if proc.returncode != 0:
            return {}, "its tree cannot be read", None
        index: dict[str, str] = {}
        for record in proc.stdout.split(b"\x00"):
            if not record:
                continue
            meta, _, path = record.partition(b"\t")
            fields = meta.split()
            whole = path.decode("utf-8", "backslashreplace")
            # Cut with a `…` where cut: the redaction recognises a cut copy of a secret by it (red18).
            shown = clip(whole, 120)
            if len(fields) != 3 or fields[1] != b"blob":
                kind_here = fields[1].decode("ascii", "replace") if len(fields) == 3 else "entry"
                return {}, f"its tree holds a {kind_here} at {shown!r}, not a note", whole
            parts = path.split(b"/")
            name = b"".join(parts).decode("ascii", "replace")
            if not is_sha(name) or any(len(p) != 2 for p in parts[:-1]):
                return {}, f"its tree holds {shown!r}, which is not named by an object id", whole
            index[name] = fields[2].decode("ascii")
        return index, None, None

    def _note_texts(self, pairs: Mapping[str, str], max_size: int) -> dict[str, str]:
        if not pairs:
            return {}
        blobs = self.read_objects(pairs.values(), max_size=max_size)
        return {commit: content.decode("utf-8", "replace")
                for commit, blob in pairs.items()
                if (content := blobs.get(blob, ("missing", None))[1]) is not None}

    def note(self, ref: str, sha: str, *, max_size: int = 256 * 1024) -> bytes | None:
        """The note of one commit under `ref`, in one git call; None when there is none. GitError when
        the notes ref exists but cannot be read as notes (so a broken ref is never taken for "no note")."""
        if not is_sha(sha) or not ref.startswith("refs/notes/"):
            raise GitError(f"invalid note lookup {ref!r} {sha!r}", "this is a bug in gatekeeper; please report it")
        proc = self._run("notes", f"--ref={ref}", "show", sha, check=False)
        if proc.returncode == 0:
            return proc.stdout if len(proc.stdout) <= max_size else None
        if self.try_resolve_object(ref) is None or b"no note found" in proc.stderr:
            return None
        stderr = proc.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"cannot read {ref}: {_first_line(stderr)}",
                       f"an administrator must repair {ref} (it should name a notes commit)", stderr=stderr)

    def write_note(self, ref: str, sha: str, content: bytes, *, author: str = "gatekeeper") -> None:
        """Attach (or replace) the note of commit `sha` under `ref`, as a commit by `author`. Used on the
        server after a push was accepted (attestations); the notes ref's own lock serialises writers."""
        if not is_sha(sha) or not ref.startswith("refs/notes/") or any(ord(c) <= 32 for c in ref):
            raise GitError(f"invalid note target {ref!r} {sha!r}", "this is a bug in gatekeeper; please report it")
        self._run("-c", f"user.name={author}", "-c", "user.email=gatekeeper@localhost",
                 "notes", f"--ref={ref}", "add", "--force", "--file=-", sha, input=content)
