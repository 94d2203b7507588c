"""The decision log: every gate decision as a record in a hash chain, one chain per repository.

A record holds what the gate decided and about what — repository, refs, pusher, mode, decision,
the commits judged, and the SHA-256 digest of the full JSON verdict (kept beside it) — plus
`prev_hash`, the hash of the repository's previous record. Each record's hash covers its whole body,
so `verify()` names any record that was edited (its hash no longer matches), deleted (a gap in the
sequence, or a broken link), reordered (a link to the wrong predecessor) or cut off the end (the
per-repository head no longer matches the last record).

Two stores implement the same `Store` protocol: SQLite (`sqlite_store`, a file path; the default)
and PostgreSQL (`postgres_store`, a `postgresql://` URL) for git servers with several nodes, where
a local file would split the record. Both append inside one transaction that first takes a
per-repository lock, so 20 concurrent hooks never interleave or lose records, and a process killed
mid-append leaves the previous, valid state.

Where the log is: `GATEKEEPER_DECISION_LOG` (the server administrator's word) wins over the policy's
`log: {path: …}`. Whether the gate may decide without it: the policy's `log: {required: true}`
makes an unwritable log fail closed (exit 4); otherwise a failed append is a printed warning and
the decision stands.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gatekeeper.audit.logformat import (
    FORMAT_NAME,
    FORMAT_VERSION,
    GENESIS,
    MAX_COMMITS_PER_RECORD,
    Admission,
    Entry,
    Head,
    LogError,
    Record,
    Store,
    canonical,
    chain_hash,
    is_postgres,
    new_record,
    pg_url,
    redact_url,
)
from gatekeeper.lazy_regex import lazy
from gatekeeper.models import Verdict, display_path

if TYPE_CHECKING:
    from gatekeeper.config import Policy

# The record format lives in audit/logformat.py (the stores' leaf); callers keep importing it from here.
__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "GENESIS",
    "LOG_ENV",
    "MAX_COMMITS_PER_RECORD",
    "Admission",
    "Destination",
    "Entry",
    "Head",
    "LogError",
    "Problem",
    "Record",
    "Store",
    "VerifyResult",
    "canonical",
    "chain_hash",
    "destination",
    "entry_from_verdict",
    "is_postgres",
    "log_verdict",
    "new_record",
    "open_log",
    "read_anchors",
    "record",
    "record_dict",
    "redact_url",
    "verify",
]

LOG_ENV = "GATEKEEPER_DECISION_LOG"
def open_log(target: str, *, create: bool = True, timeout: float | None = None) -> Store:
    """The store for a location: a `postgresql://` URL or a file path (SQLite)."""
    if not target.strip():
        raise LogError("the decision log location is empty", f"set {LOG_ENV} to a file path or a postgresql:// URL")
    if is_postgres(target):
        from gatekeeper.audit.postgres_store import PostgresStore

        return PostgresStore(pg_url(target), timeout=timeout)
    from gatekeeper.audit.sqlite_store import SqliteStore

    return SqliteStore(Path(target), create=create, timeout=timeout)


# -- verification -------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Problem:
    repository: str
    seq: int | None
    message: str

    def __str__(self) -> str:
        where = f"record #{self.seq} of {self.repository!r}" if self.seq is not None else repr(self.repository)
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class VerifyResult:
    records: int
    repositories: int
    problems: tuple[Problem, ...]
    heads: tuple[Head, ...]
    anchored: int = 0  # anchored records checked

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(store: Store, repository: str | None = None, anchors: Sequence[Head] = ()) -> VerifyResult:
    """Walk every chain (or one) and name each record that was edited, deleted, reordered or cut off.

    `anchors`: heads an earlier verification printed and someone kept outside the log (`read_anchors`). The
    chain has no key, so whoever can write the log can cut records off its end and move the head back, or
    re-hash everything after an edit; each anchored record must still be in its chain with the hash it had.

    All of it is read from one snapshot (`store.snapshot`): hooks may append while it runs."""
    with store.snapshot():
        return _verify(store, repository, anchors)


def _verify(store: Store, repository: str | None, anchors: Sequence[Head]) -> VerifyResult:
    heads = store.heads()
    anchored: dict[str, list[Head]] = {}
    for anchor in anchors:
        if repository is None or anchor.repository == repository:
            anchored.setdefault(anchor.repository, []).append(anchor)
    repos = [repository] if repository is not None else sorted(set(store.repositories()) | set(heads) | set(anchored))
    problems: list[Problem] = []
    total = 0
    for repo in repos:
        expected_seq = 1
        prev = GENESIS
        last: Record | None = None
        indexed = _Index(iter(list(store.index(repo))))  # read whole: two open cursors at once do not nest
        wanted = {a.seq: a for a in anchored.get(repo, ())}
        seen: dict[int, str] = {}
        for record in store.records(repo):
            total += 1
            problems.extend(_check_record(record, expected_seq, prev))
            problems.extend(indexed.check(record))
            if record.seq in wanted:
                seen.setdefault(record.seq, record.hash)
            expected_seq = record.seq + 1
            prev = record.hash
            last = record
        problems.extend(_check_anchors(repo, wanted, seen, last))
        head = heads.get(repo)
        # Rows of records reported missing above are the deletion's traces; a row past the chain's end names a
        # record that never was.
        end = head.seq if head is not None else last.seq if last is not None else 0
        problems.extend(Problem(repo, n, "the commit index names a record that does not exist (the index was edited)")
                        for n in indexed.orphans(end))
        if head is not None and head.seq < 1:
            problems.append(Problem(repo, head.seq, "the chain's head names a sequence number below #1 (written by "
                                    "hand)"))
        if head is None:
            if last is not None:
                problems.append(Problem(repo, None, "the chain's head entry is missing (the log was edited by hand)"))
            elif repository is not None:
                # A chain asked for by name that has neither a record nor a head: wiped whole, or never written
                # under that name — either way not "intact" (red41: an administrator deleted one repository's chain).
                problems.append(Problem(repo, None, "no record and no head: this repository has no chain in the log "
                                        "(deleted, or the name is not the one the gate logs under)"))
            continue
        if last is None:
            problems.append(Problem(repo, head.seq, f"all {head.seq} record(s) are missing (deleted)"))
        elif head.seq > last.seq:
            problems.append(Problem(repo, last.seq + 1, f"record(s) #{last.seq + 1}..#{head.seq} after the last one "
                                    "present are missing (deleted from the end)"))
        elif head.seq != last.seq or head.hash != last.hash:
            problems.append(Problem(repo, last.seq, "the last record does not match the chain's head "
                                    f"(head #{head.seq} {head.hash[:16]}…; the record or the head was edited)"))
    return VerifyResult(total, len(repos), tuple(problems), tuple(heads[r] for r in repos if r in heads),
                        sum(len(found) for found in anchored.values()))


def _check_anchors(repo: str, wanted: Mapping[int, Head], seen: Mapping[int, str],
                   last: Record | None) -> list[Problem]:
    """Each anchored record against what the chain holds now: gone past its end (cut off, the head moved back),
    missing in the middle, or there with another hash (it, or a record before it, was rewritten and every later
    record re-hashed)."""
    found: list[Problem] = []
    end = last.seq if last is not None else 0
    for seq, anchor in sorted(wanted.items()):
        held = seen.get(seq)
        if held is None:
            found.append(Problem(repo, seq, f"the anchor holds this record (hash {anchor.hash[:16]}…), but the chain "
                                 + (f"ends at #{end}: records were cut off the end and the head moved back"
                                    if seq > end else "no longer has it (deleted)")))
        elif held != anchor.hash:
            found.append(Problem(repo, seq, f"its hash is not the one the anchor holds ({anchor.hash[:16]}…, now "
                                 f"{held[:16]}…): it or a record before it was rewritten, and every later one "
                                 "re-hashed"))
    return found


def read_anchors(text: str) -> tuple[Head, ...]:
    """The heads an anchor file holds: the JSON `gatekeeper log verify --format json` printed on an intact log
    (`{"ok": true, "heads": [{"repository", "seq", "hash"}, ...]}`). Anything else is a LogError saying what is
    wrong with it: a verification anchored on a file that does not say what it seems to would pass."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LogError(f"the anchor is not JSON ({exc.msg}, line {exc.lineno})", _ANCHOR_FIX) from None
    except (ValueError, RecursionError):  # a number too long to read, nesting too deep
        raise LogError("the anchor is not JSON this reader takes", _ANCHOR_FIX) from None
    if not isinstance(data, dict) or not isinstance(data.get("heads"), list):
        raise LogError("the anchor has no list of `heads`", _ANCHOR_FIX)
    if data.get("ok") is not True:
        raise LogError("the anchor was written by a verification that found problems (its `ok` is not true): its "
                       "heads may be the tampered ones", "keep anchors only from runs that printed `ok: true`")
    heads: list[Head] = []
    for i, item in enumerate(data["heads"]):
        repo = item.get("repository") if isinstance(item, dict) else None
        seq = item.get("seq") if isinstance(item, dict) else None
        digest = item.get("hash") if isinstance(item, dict) else None
        if not isinstance(repo, str) or not repo or type(seq) is not int or seq < 1 or not isinstance(digest, str) \
                or _HASH.fullmatch(digest) is None:
            raise LogError(f"head {i + 1} of the anchor is not a repository name, a sequence number >= 1 and a "
                           "64-digit lowercase hex hash", _ANCHOR_FIX)
        heads.append(Head(repo, seq, digest))
    if not heads:
        raise LogError("the anchor holds no head", _ANCHOR_FIX)
    return tuple(heads)


_HASH = lazy("[0-9a-f]{64}")
_ANCHOR_FIX = ("pass the file `gatekeeper log verify --format json > FILE` wrote on an intact log (kept where "
               "whoever writes the log cannot change it)")


class _Index:
    """The commit index (which commits each record judged, for `audit`'s join) against the hashed records: no hash
    covers the index, so verify names every row a record does not list and every listed commit without a row
    (red26). Rows are read in order beside the records, one record's at a time."""

    def __init__(self, rows: Iterator[tuple[int, str]]) -> None:
        self._rows = rows
        self._next: tuple[int, str] | None = next(rows, None)
        self._orphans: set[int] = set()  # seqs of rows no record had

    def _take(self, seq: int) -> set[str]:
        found: set[str] = set()
        while self._next is not None and self._next[0] <= seq:
            if self._next[0] == seq:
                found.add(self._next[1])
            else:
                self._orphans.add(self._next[0])
            self._next = next(self._rows, None)
        return found

    def check(self, record: Record) -> list[Problem]:
        repo, seq = record.repository, record.seq
        rows = self._take(seq)
        body = record.parsed()
        if body is None:
            return []  # the body itself is reported
        listed = body.get("commits")
        listed_set = {c for c in listed if isinstance(c, str)} if isinstance(listed, list) else set()
        extra, missing = rows - listed_set, listed_set - rows
        problems = []
        if extra:
            problems.append(Problem(repo, seq, f"the commit index names {len(extra)} commit(s) this record does not "
                                    f"list, e.g. {min(extra)[:12]} (the index was edited)"))
        if missing:
            problems.append(Problem(repo, seq, f"{len(missing)} commit(s) this record lists have no row in the "
                                    f"commit index, e.g. {min(missing)[:12]} (deleted from the index)"))
        return problems

    def orphans(self, end: int) -> list[int]:
        """The seqs past `end` (or below #1, where no chain starts) that index rows name, no record having them."""
        while self._next is not None:
            self._orphans.add(self._next[0])
            self._next = next(self._rows, None)
        return sorted(n for n in self._orphans if n > end or n < 1)


def _check_record(record: Record, expected_seq: int, prev: str) -> list[Problem]:
    problems: list[Problem] = []
    repo, seq = record.repository, record.seq
    if seq < 1:
        # (red62) The gate numbers every chain from #1: a record below it was written by hand, and passed as intact
        # it would put a head no anchor can hold into the output a team keeps as its anchor.
        problems.append(Problem(repo, seq, "its sequence number is below #1, where the gate starts every chain "
                                "(written by hand)"))
    if not repo:
        problems.append(Problem(repo, seq, "it belongs to no repository (an empty name: the gate never logs under "
                                "one; written by hand)"))
    if seq > expected_seq:
        missing = f"#{expected_seq}" if seq == expected_seq + 1 else f"#{expected_seq}..#{seq - 1}"
        problems.append(Problem(repo, expected_seq, f"record(s) {missing} are missing (deleted); the chain "
                                f"resumes at #{seq}"))
    body = record.parsed()
    if body is None:
        return [*problems, Problem(repo, seq, "its body is not a valid JSON object (edited)")]
    if chain_hash(record.prev_hash, record.body.encode("utf-8")) != record.hash:
        problems.append(Problem(repo, seq, "its content does not match its hash (edited)"))
    if body.get("seq") != seq or body.get("repository") != repo:
        problems.append(Problem(repo, seq, f"its body says record #{body.get('seq')} of {body.get('repository')!r} "
                                "(moved or renumbered)"))
    if body.get("prev_hash") != record.prev_hash:
        problems.append(Problem(repo, seq, "its stored link differs from the one its body was hashed with (edited)"))
    if record.prev_hash != prev and seq <= expected_seq:
        problems.append(Problem(repo, seq, "it does not follow the record before it (reordered or a record "
                                "before it was replaced)"))
    digest = body.get("verdict_digest")
    if record.verdict is not None and digest != hashlib.sha256(record.verdict.encode("utf-8")).hexdigest():
        problems.append(Problem(repo, seq, "the stored verdict does not match the digest in the chain (edited)"))
    if record.verdict is None and digest is not None:
        problems.append(Problem(repo, seq, "the verdict the chain vouches for is missing (deleted)"))
    return problems


# -- entries from what the gate decided ------------------------------------------------------------------------

def entry_from_verdict(verdict: Verdict, *, repository: str, event: str = "decision", exit_code: int | None = None,
                       pusher: str | None = None, detail: Mapping[str, Any] | None = None,
                       now: dt.datetime | None = None) -> Entry:
    from gatekeeper.report.json import render_json

    return Entry(
        repository=repository,
        mode=verdict.mode,
        event=event,
        decision=verdict.decision.value,
        exit_code=int(verdict.exit_code if exit_code is None else exit_code),
        refs=tuple((u.ref, u.old, u.new, u.kind.value) for u in verdict.updates),
        pusher=pusher,
        commits=tuple(r.commit.sha for r in verdict.commits),
        blocking_rules=tuple(f.rule_id for f in verdict.findings if f.blocking),
        verdict_json=_utf8(render_json(verdict).rstrip("\n")),
        detail={"range": _utf8(verdict.range_description), "policy": _utf8(verdict.policy_source), **(detail or {})},
        time=now,
    )


def _utf8(text: str) -> str:
    """Text a record can hold: a lone surrogate — a byte of a file system path that is not UTF-8, as os.fsdecode
    gives it — as `?` (the record stays writable: a decision is never lost to one odd path)."""
    return text.encode("utf-8", "replace").decode("utf-8") if not text.isascii() else text


def record_dict(record: Record) -> dict[str, Any]:
    """A record as `log show` / `log export` print it: the hashed body, the hash, and the verdict."""
    parsed = record.parsed()
    # An unreadable body (an edited record: `log verify` names it) is exported as the text it is, not dropped.
    data: dict[str, Any] = parsed if parsed is not None else {
        "repository": record.repository, "seq": record.seq, "unreadable_body": record.body}
    data["hash"] = record.hash
    data["verdict"] = None if record.verdict is None else _json_or_text(record.verdict)
    return data


def _json_or_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


# -- where the log is, and appending without letting it decide the gate ---------------------------------------

@dataclass(frozen=True, slots=True)
class Destination:
    target: str | None  # None: no log configured (or none allowed: see problem)
    required: bool
    origin: str  # "GATEKEEPER_DECISION_LOG", "policy log.path" or "none"
    problem: str | None = None  # why the configured log cannot be used
    confine: str | None = None  # a repository policy's log: opened only inside this directory (real path)


def destination(env: Mapping[str, str], log_path: str | None, required: bool, *,
                repository_root: Path | None = None, from_repository: bool = False) -> Destination:
    """The log to write: the server's `GATEKEEPER_DECISION_LOG` first, else the policy's `log.path`
    (a relative path is taken from `repository_root`: the work tree locally, the git directory on a server).

    A policy read from the repository itself (pre-receive's default branch, the Action's base commit, a clone's
    work tree or HEAD) may only name a file inside the repository's git directory (the work tree locally): it
    must not be able to make the server create files elsewhere, nor make whoever runs the gate connect to a
    database server — libpq would hand it the runner's PGPASSWORD or ~/.pgpass entry, whether it is on another
    host (red100; libpq reads URLs otherwise than any parser here would, red101) or a socket or port any local
    user can open. A PostgreSQL log is the environment's to name (`GATEKEEPER_DECISION_LOG`), or a policy's
    given by path (--policy, GATEKEEPER_POLICY).
    """
    if env.get(LOG_ENV, "").strip():
        return Destination(env[LOG_ENV].strip(), required, LOG_ENV)
    if not log_path:
        return Destination(None, required, "none")
    if is_postgres(log_path):
        if from_repository:
            return Destination(None, required, "policy log.path", problem=(
                f"log.path in a policy read from the repository names a database server, which only the "
                f"environment may name: set {LOG_ENV} to that URL where the gate runs, or pass the policy with "
                f"--policy"))
        return Destination(log_path, required, "policy log.path")
    path = Path(log_path)
    if from_repository and (path.is_absolute() or ".." in path.parts or repository_root is None
                            or not _log_name(path)):
        return Destination(None, required, "policy log.path", problem=(
            f"log.path {log_path!r} in a policy read from the repository must be a relative path inside the "
            f"repository's git directory, to a file named *.db, *.sqlite or *.sqlite3 outside git's own "
            f"directories (set {LOG_ENV} on the server for a log elsewhere)"))
    if not path.is_absolute() and repository_root is not None:
        path = repository_root / path
    if from_repository and repository_root is not None:
        # Checked as text above; the directories on the way are the repository's own too, and a clone can commit
        # one as a link out of it (red102: `audit -> ../outside` made `check` create its database there).
        real_root = Path(os.path.realpath(repository_root))
        if not Path(os.path.realpath(path.parent)).is_relative_to(real_root):
            return Destination(None, required, "policy log.path", problem=(
                f"log.path {log_path!r} in a policy read from the repository leads out of it through a link "
                f"(set {LOG_ENV} for a log elsewhere)"))
        # (And again when it is opened, without following a link on the way: record, _confined.)
        return Destination(str(path), required, "policy log.path", confine=str(real_root))
    return Destination(str(path), required, "policy log.path")


# git's (and the gate's) own directories in a git directory: a log there would be read as something else.
_GIT_DIRS = frozenset({"objects", "refs", "logs", "hooks", "info", "worktrees", "modules", "branches", "remotes",
                       "lfs", "rr-cache", "svn"})
_GATE_DIRS = frozenset({"admitted", "push-origin"})  # $GIT_DIR/gatekeeper/… the hooks hand off through
_LOG_SUFFIXES = (".db", ".sqlite", ".sqlite3")


def _log_name(path: Path) -> bool:
    """Whether a repository policy's relative log.path names a file git gives no meaning to: a database name
    (git's control files — `git-daemon-export-ok`, `commondir`, `shallow`, `config` — have no such suffix),
    not under one of git's directories or the gate's hand-off directory (red48: `log: {path:
    git-daemon-export-ok}` made git daemon export the repository)."""
    parts = path.parts
    return (bool(parts) and path.name.lower().endswith(_LOG_SUFFIXES) and parts[0].lower() not in _GIT_DIRS
            and not (len(parts) > 2 and parts[0] == "gatekeeper" and parts[1] in _GATE_DIRS)
            and all(part not in ("", ".") for part in parts))


def record(dest: Destination, entry: Entry, warn: Callable[[str], None], *,
           timeout: float | None = None) -> Record | None:
    """Append `entry`; a failure is a warning, unless the log is required: then LogError (fail closed).
    `timeout`: the longest wait for the log (a hook's remaining budget), default 30 s for SQLite's lock
    and 5 s for a PostgreSQL connection."""
    try:
        if dest.problem is not None:
            raise LogError(dest.problem, f"fix log.path in the policy, or set {LOG_ENV}")
        if dest.target is None:
            if not dest.required:
                return None
            raise LogError("the policy requires a decision log (log.required: true) but none is configured",
                           f"set log.path in the policy or {LOG_ENV} on the server")
        with _confined(dest) as target:
            store = open_log(target, timeout=timeout)
            try:
                return store.append(entry)
            finally:
                store.close()
    except LogError as exc:
        failed = exc
    except Exception as exc:  # a log damaged in a way no store foresaw decides the gate no more than one it did (red41)
        failed = LogError(f"the decision log failed: {type(exc).__name__}: {exc}",
                          "run `gatekeeper log verify` on it; repair or move the log")
    if dest.required:
        raise LogError(f"{failed.message}; the policy requires the decision log (log.required: true), so the gate "
                       "fails closed", failed.fix) from None
    warn(f"gatekeeper: warning: the decision was not logged: {failed.message}")
    return None


@contextlib.contextmanager
def _confined(dest: Destination) -> Iterator[str]:
    """The path to open `dest.target` by. A repository policy's log (`confine`) is reached from the repository's
    real path one directory at a time without following a link (O_NOFOLLOW), and opened through the directory
    descriptor that walk ends on (/proc/self/fd/N/NAME): a directory on the way swapped for a link after
    `destination` checked it (red103) leads nowhere. Without /proc the real path is checked once more instead."""
    assert dest.target is not None
    if dest.confine is None:
        yield dest.target
        return
    root = Path(dest.confine)
    outside = LogError(f"the decision log {dest.target} leads out of the repository through a link",
                       f"remove the link, or set {LOG_ENV} for a log elsewhere")
    try:
        parts = Path(dest.target).parent.resolve(strict=False).relative_to(root).parts
    except ValueError:
        raise outside from None
    if not Path("/proc/self/fd").is_dir():
        target = Path(os.path.realpath(Path(dest.target).parent)) / Path(dest.target).name
        if not target.parent.is_relative_to(root):
            raise outside
        yield str(target)
        return
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(root, flags)
    try:
        for part in parts:
            try:
                step = os.open(part, flags, dir_fd=fd)
            except FileNotFoundError:
                raise LogError(f"cannot create decision log {dest.target}: its directory does not exist",
                               "create the directory, or fix log.path") from None
            except OSError:
                raise outside from None
            os.close(fd)
            fd = step
        yield f"/proc/self/fd/{fd}/{Path(dest.target).name}"
    finally:
        os.close(fd)


def path_name(path: Path | str) -> str:
    """How the log names a repository it knows only by its path: the path's text, every byte of it that is not
    UTF-8 as git's octal escape (models.display_path). A directory's name need not be UTF-8; a record's text
    must be (red94: the decision of a repository under `r\\xff` was never logged, and its audit failed)."""
    return display_path(os.fsencode(path))


def log_verdict(verdict: Verdict, policy: Policy, *, repository: str, root: Path | None,
                from_repository: bool = False, env: Mapping[str, str] | None = None,
                warn: Callable[[str], None] | None = None) -> Record | None:
    """check's and the Action's entry: append the verdict where the environment or policy says."""
    import os
    import sys

    from gatekeeper.sanitize import safe

    env = os.environ if env is None else env
    dest = destination(env, policy.log.path, policy.log.required, repository_root=root,
                       from_repository=from_repository)
    if dest.target is None and dest.problem is None and not dest.required:
        return None

    def to_stderr(text: str) -> None:
        print(safe(text, limit=300), file=sys.stderr)

    return record(dest, entry_from_verdict(verdict, repository=repository), warn or to_stderr)
