"""The decision log in an SQLite file (stdlib `sqlite3`): the default store.

Safe for many hooks at once on one machine: WAL journal (readers never block the writer), a busy
timeout instead of an immediate "database is locked", and each append in one `BEGIN IMMEDIATE`
transaction that reads the repository's head, inserts the record and moves the head — so two
hooks can never both chain onto the same predecessor, and a process killed mid-append leaves the
previous state (SQLite's atomic commit). `synchronous=FULL`: a record reported written survives a
power cut. The file is created 0600 without following symlinks; an existing file keeps the mode
its administrator gave it. A file that is not SQLite, or an SQLite database of something else, is
refused with a clear error and left untouched.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

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
    admission_from_body,
    new_record,
)

BUSY_TIMEOUT_S = 30.0
_TABLES = ("gatekeeper_meta", "decisions", "decision_heads", "decision_commits")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS gatekeeper_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS decisions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  repository TEXT NOT NULL,
  seq INTEGER NOT NULL,
  time TEXT NOT NULL,
  body TEXT NOT NULL,
  verdict TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  UNIQUE (repository, seq)
);
CREATE TABLE IF NOT EXISTS decision_heads (repository TEXT PRIMARY KEY, seq INTEGER NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS decision_commits (
  sha TEXT NOT NULL, repository TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (sha, repository, seq)
) WITHOUT ROWID;
"""


class SqliteStore:
    def __init__(self, path: Path, *, create: bool = True, timeout: float | None = None) -> None:
        self.path = path
        self.timeout = BUSY_TIMEOUT_S if timeout is None else max(0.1, timeout)
        self.target = str(path)
        if not create and not path.exists():
            raise LogError(f"decision log {path} does not exist", "check the path (GATEKEEPER_DECISION_LOG or the "
                           "policy's log.path), or let a check or hook create it")
        self.readonly = not create
        if path.exists() and not path.is_file():
            # (A FIFO would hold the reader — and a hook — in open() until something writes to it.)
            raise LogError(f"decision log {path} is not a regular file", "point GATEKEEPER_DECISION_LOG (or the "
                           "policy's log.path) at a file")
        if create:
            _create_private(path)
        elif path.is_file() and path.stat().st_size == 0:
            # (Opened to write, an empty file is where a new log starts; a reader writes nothing, so an emptied log
            # is not turned into an intact empty one: red116.)
            raise LogError(f"decision log {path} is empty (0 bytes): it holds no decision log — it was never "
                           "written, or it was truncated",
                           "restore it from a backup; if no log was ever kept there, a check or hook writing to it "
                           "starts one")
        self.copy: Path | None = None  # the private copy a reader that may not write the log's directory reads
        try:
            self._connect(path)
        except sqlite3.Error as exc:
            if not self.readonly or _wal(path).exists():
                raise _error(exc, path, "open") from None
            # A reader that may not write the log's directory cannot make the `-shm` file SQLite reads a WAL log
            # with; with no `-wal` file beside it the file alone is the whole log. Read in place (`immutable`),
            # a hook's checkpoint rewrote it under the reader ("malformed": red117): a copy taken while the file
            # did not change is one moment of it, read in a directory of the reader's own.
            self.copy = _still_copy(path)
            try:
                self._connect(self.copy / path.name)
            except sqlite3.Error as again:
                self.close()
                raise _error(again, path, "open") from None
            except LogError:
                self.close()
                raise

    def _connect(self, path: Path) -> None:
        if self.readonly:
            # Readers (verify, show, export, the audit's join) open the log read-only: they never write to it, and
            # need no more than read access to the file (an auditor's group, a backup on read-only media: red116).
            uri = f"{path.absolute().as_uri()}?mode=ro"
            self.db = sqlite3.connect(uri, uri=True, timeout=self.timeout, isolation_level=None,
                                      check_same_thread=False)
        else:
            self.db = sqlite3.connect(str(self.path), timeout=self.timeout, isolation_level=None,
                                      check_same_thread=False)
        try:
            self._setup()
        except (sqlite3.Error, LogError):
            self.db.close()
            raise

    # -- setup --------------------------------------------------------------------------------------------
    def _setup(self) -> None:
        self.db.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
        # Reading the schema first: a foreign file ("file is not a database") or a database of something
        # else is refused before anything is written to it.
        names = {row[0] for row in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if names and "gatekeeper_meta" not in names:
            shown = ", ".join(sorted(n for n in names if not n.startswith("sqlite_"))[:5])
            raise LogError(f"{self.path} is an SQLite database of something else (tables: {shown}), not a "
                           "gatekeeper decision log", "point GATEKEEPER_DECISION_LOG (or log.path) at a new file")
        if "gatekeeper_meta" in names:
            self._check_format()
            missing = [t for t in _TABLES if t not in names]
            if missing:
                raise LogError(f"{self.path}: the decision log is damaged: table(s) {', '.join(missing)} are missing",
                               "restore the file from a backup; `gatekeeper log verify` names what is left")
        if self.readonly:
            if not names:
                raise LogError(f"{self.path} holds no decision log (an SQLite database with no tables)",
                               "check the path (GATEKEEPER_DECISION_LOG or the policy's log.path); restore the log "
                               "from a backup if it was wiped")
            return
        self._retry(lambda: self.db.execute("PRAGMA journal_mode = WAL"))
        self.db.execute("PRAGMA synchronous = FULL")
        if "gatekeeper_meta" not in names:
            self._retry(self._create_schema)

    def _create_schema(self) -> None:
        with self._transaction():
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self.db.execute(statement)
            self.db.execute("INSERT OR IGNORE INTO gatekeeper_meta (key, value) VALUES ('format', ?), ('version', ?)",
                            (FORMAT_NAME, str(FORMAT_VERSION)))

    def _check_format(self) -> None:
        meta = dict(self.db.execute("SELECT key, value FROM gatekeeper_meta").fetchall())
        if meta.get("format") != FORMAT_NAME:
            raise LogError(f"{self.path} is not a gatekeeper decision log (format {meta.get('format')!r})",
                           "point GATEKEEPER_DECISION_LOG (or log.path) at a new file")
        if meta.get("version") != str(FORMAT_VERSION):
            raise LogError(f"{self.path}: decision log format version {meta.get('version')!r} is not supported by "
                           f"this gatekeeper (it writes version {FORMAT_VERSION})", "upgrade gatekeeper")

    def _retry(self, action: object) -> None:
        # Changing the journal mode and creating the schema need a moment of exclusive access, which the
        # busy handler does not always wait for: retry briefly while another hook holds it.
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                action()  # type: ignore[operator]
                return
            except sqlite3.OperationalError as exc:
                if ("locked" not in str(exc) and "busy" not in str(exc)) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every read inside sees the log as one moment: a deferred transaction, whose first read fixes the WAL
        snapshot (verify reads heads, index and records separately; a hook appending between them made an intact
        log look edited: red116)."""
        try:
            self.db.execute("BEGIN")
        except sqlite3.Error as exc:
            raise _error(exc, self.path, "read") from None
        try:
            yield
        finally:
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("ROLLBACK")

    # -- writing ------------------------------------------------------------------------------------------
    def append(self, entry: Entry) -> Record:
        if self.readonly:
            raise LogError(f"decision log {self.path} was opened to read", "open it with create=True to append")
        try:
            with self._transaction():
                head = self.db.execute("SELECT seq, hash FROM decision_heads WHERE repository = ?",
                                       (entry.repository,)).fetchone()
                if head is not None and not (type(head[0]) is int and head[0] > 0 and isinstance(head[1], str)):
                    # SQLite keeps any value in a column of a table that is not STRICT: a head edited to one that
                    # is no sequence number is a damaged log, reported as one (red41: a TypeError got out).
                    raise LogError(f"the chain head of {entry.repository!r} in {self.path} is damaged "
                                   f"(seq {head[0]!r}): the log was edited", "run `gatekeeper log verify` on it")
                seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS)
                record = new_record(entry, seq, prev)
                cursor = self.db.execute(
                    "INSERT INTO decisions (repository, seq, time, body, verdict, prev_hash, hash) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (record.repository, record.seq, record.data()["time"], record.body, record.verdict,
                     record.prev_hash, record.hash))
                self.db.execute("INSERT INTO decision_heads (repository, seq, hash) VALUES (?, ?, ?) "
                                "ON CONFLICT (repository) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
                                (record.repository, record.seq, record.hash))
                self.db.executemany("INSERT OR IGNORE INTO decision_commits (sha, repository, seq) VALUES (?, ?, ?)",
                                    ((sha, record.repository, record.seq)
                                     for sha in entry.commits[:MAX_COMMITS_PER_RECORD]))
        except sqlite3.Error as exc:
            raise _error(exc, self.path, "append to", self.timeout) from None
        return Record(int(cursor.lastrowid or 0), record.repository, record.seq, record.body, record.verdict,
                      record.prev_hash, record.hash)

    # -- reading ------------------------------------------------------------------------------------------
    def repositories(self) -> list[str]:
        return [row[0] for row in self._query("SELECT DISTINCT repository FROM decisions ORDER BY repository")]

    def records(self, repository: str | None = None) -> Iterator[Record]:
        sql = "SELECT id, repository, seq, body, verdict, prev_hash, hash FROM decisions"
        args: tuple[str, ...] = ()
        if repository is not None:
            sql += " WHERE repository = ?"
            args = (repository,)
        sql += " ORDER BY repository, seq, id"
        try:
            for row in self.db.execute(sql, args):
                # A sequence number that is not one (SQLite keeps any value in a table that is not STRICT) is
                # read as #0: verify names the record (it follows nothing, its body says otherwise: red44).
                yield Record(int(row[0]), str(row[1]), _seq(row[2]), str(row[3]),
                             row[4] if row[4] is None or isinstance(row[4], str) else str(row[4]), str(row[5]),
                             str(row[6]))
        except sqlite3.Error as exc:
            raise _error(exc, self.path, "read") from None

    def heads(self) -> dict[str, Head]:
        return {str(r): Head(str(r), _seq(s), str(h))
                for r, s, h in self._query("SELECT repository, seq, hash FROM decision_heads")}

    def admissions(self, shas: Sequence[str]) -> dict[str, list[Admission]]:
        result: dict[str, list[Admission]] = {}
        for start in range(0, len(shas), 500):
            chunk = json.dumps(list(shas[start:start + 500]))
            rows = self._query(
                "SELECT c.sha, d.repository, d.seq, d.body, d.prev_hash, d.hash "
                "FROM decision_commits c JOIN decisions d "
                "ON d.repository = c.repository AND d.seq = c.seq "
                "WHERE c.sha IN (SELECT value FROM json_each(?)) ORDER BY d.id", (chunk,))
            for sha, repo, seq, body, prev_hash, digest in rows:
                admission = admission_from_body(repo, seq, body, str(sha), prev_hash, digest)
                if admission is not None:
                    result.setdefault(sha, []).append(admission)
        return result

    def index(self, repository: str) -> Iterator[tuple[int, str]]:
        """The commit index of one repository's chain: (seq, sha), in order."""
        try:
            for seq, sha in self.db.execute("SELECT seq, sha FROM decision_commits WHERE repository = ? "
                                            "ORDER BY seq, sha", (repository,)):
                yield _seq(seq), str(sha)  # (red62: a text seq here was an internal error, not a broken log)
        except sqlite3.Error as exc:
            raise _error(exc, self.path, "read") from None

    def _query(self, sql: str, args: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        try:
            return list(self.db.execute(sql, args).fetchall())
        except sqlite3.Error as exc:
            raise _error(exc, self.path, "read") from None

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error, AttributeError):
            self.db.close()
        if self.copy is not None:
            shutil.rmtree(self.copy, ignore_errors=True)
            self.copy = None


def _create_private(path: Path) -> None:
    """Create the file 0600 if it does not exist, never through a symlink."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        if path.is_symlink():
            raise LogError(f"decision log {path} is a symbolic link", "point the log at the real file") from None
        return
    except OSError as exc:
        raise LogError(f"cannot create decision log {path}: {exc.strerror}",
                       "check that the directory exists and is writable by the user the hook runs as") from None
    os.close(fd)


def _error(exc: sqlite3.Error, path: Path, what: str, timeout: float = BUSY_TIMEOUT_S) -> LogError:
    text = str(exc)
    lowered = text.lower()
    if "not a database" in lowered or "malformed" in lowered or "encrypted" in lowered:
        return LogError(f"cannot {what} decision log {path}: {text} (the file is damaged or is not a decision log)",
                        "restore it from a backup, or point GATEKEEPER_DECISION_LOG (or log.path) at a new file; "
                        "nothing was written to it")
    if "full" in lowered:
        return LogError(f"cannot {what} decision log {path}: {text}",
                        "free disk space; the records already in the log are intact")
    if "readonly" in lowered or "read-only" in lowered or "unable to open" in lowered or "permission" in lowered:
        return LogError(f"cannot {what} decision log {path}: {text}",
                        "make the file and its directory writable by the user the hook runs as")
    if "locked" in lowered or "busy" in lowered:
        return LogError(f"cannot {what} decision log {path}: still locked after {timeout:g}s ({text})",
                        "another process holds the log; retry, or look for a stuck process")
    return LogError(f"cannot {what} decision log {path}: {text}", "check the file with `gatekeeper log verify`")


def _stamp(path: Path) -> tuple[int, int, int, bytes]:
    info = path.stat()
    with path.open("rb") as handle:
        return info.st_mtime_ns, info.st_size, info.st_ino, handle.read(100)  # (the header: its change counter)


def _still_copy(path: Path, attempts: int = 5) -> Path:
    """A private copy of the log taken while the file did not change (its time, size, inode and header the same
    before and after), in a new directory only this process reads; LogError when it kept changing."""
    for _ in range(attempts):
        directory = Path(tempfile.mkdtemp(prefix="gatekeeper-log-"))
        try:
            before = _stamp(path)
            shutil.copyfile(path, directory / path.name)
            if _stamp(path) == before:
                return directory
        except OSError as exc:
            shutil.rmtree(directory, ignore_errors=True)
            raise LogError(f"cannot read decision log {path}: {exc.strerror or exc}",
                           "check that the file is readable by this user") from None
        shutil.rmtree(directory, ignore_errors=True)
        time.sleep(0.05)
    raise LogError(f"decision log {path} kept changing while it was read (hooks are appending, and this user may not "
                   "write its directory, so SQLite cannot share a consistent view of it)",
                   "run the command again, or on a copy of the log")


def _wal(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def _seq(value: object) -> int:
    """A stored sequence number as read back: 0 for a value that is none (an edited row)."""
    return value if type(value) is int and value > 0 else 0
