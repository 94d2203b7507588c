"""The decision log in PostgreSQL (psycopg 3): one record for git servers with several nodes.

A GHES cluster or a Gitaly cluster runs the same repository's hooks on different machines; a file
per machine would split the chain. Each append is one transaction that first takes a transaction
-scoped advisory lock on the repository (`pg_advisory_xact_lock`), then reads the head, inserts the
record and moves the head: concurrent hooks on any node queue on that lock, and a connection that
dies mid-append rolls back to the previous, valid state. The schema is created once under a fixed
advisory lock, so twenty first-time hooks do not race on `CREATE TABLE`.

Credentials come from the URL or libpq's usual places (`PGPASSWORD`, `~/.pgpass`); the URL's password
is never printed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
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
    redact_location,
    redact_url,
    url_secrets,
)

CONNECT_TIMEOUT_S = 5
_SCHEMA_LOCK = 0x67617465  # "gate": one fixed key for schema creation
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS gatekeeper_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS gatekeeper_decisions (
         id BIGSERIAL PRIMARY KEY,
         repository TEXT NOT NULL,
         seq BIGINT NOT NULL,
         time TEXT NOT NULL,
         body TEXT NOT NULL,
         verdict TEXT,
         prev_hash TEXT NOT NULL,
         hash TEXT NOT NULL,
         UNIQUE (repository, seq))""",
    "CREATE TABLE IF NOT EXISTS gatekeeper_decision_heads (repository TEXT PRIMARY KEY, seq BIGINT NOT NULL, "
    "hash TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS gatekeeper_decision_commits (sha TEXT NOT NULL, repository TEXT NOT NULL, "
    "seq BIGINT NOT NULL, PRIMARY KEY (sha, repository, seq))",
)


class PostgresStore:
    def __init__(self, url: str, *, timeout: float | None = None) -> None:
        self.target = redact_location(url)
        self._secrets = url_secrets(url)
        self.timeout = timeout
        try:
            import psycopg
        except ImportError:  # pragma: no cover - psycopg is a dependency; a broken install says so
            raise LogError("PostgreSQL decision logs need psycopg", "pip install 'psycopg[binary]'") from None
        self._psycopg = psycopg
        try:
            wait = CONNECT_TIMEOUT_S if timeout is None else max(1, min(CONNECT_TIMEOUT_S, int(timeout + 0.999)))
            # A hook has seconds: a lock or a statement that waits longer fails (and the policy decides).
            options = "" if timeout is None else f"-c lock_timeout={int(timeout * 1000)} -c statement_timeout=" \
                f"{int(timeout * 2000)}"
            self.conn = psycopg.connect(url, connect_timeout=wait, autocommit=False, application_name="gatekeeper",
                                        options=options or None)
        except psycopg.Error as exc:
            raise self._error(exc, "connect to") from None
        try:
            self._setup()
        except psycopg.Error as exc:
            self.close()
            raise self._error(exc, "open") from None
        except LogError:
            self.close()
            raise

    def _setup(self) -> None:
        with self.conn.transaction(), self.conn.cursor() as cur:
            cur.execute("SELECT to_regclass('gatekeeper_meta') IS NOT NULL")
            row = cur.fetchone()
            if not (row and row[0]):
                cur.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
                for statement in _SCHEMA:
                    cur.execute(statement)
                cur.execute("INSERT INTO gatekeeper_meta (key, value) VALUES ('format', %s), ('version', %s) "
                            "ON CONFLICT (key) DO NOTHING", (FORMAT_NAME, str(FORMAT_VERSION)))
            cur.execute("SELECT key, value FROM gatekeeper_meta")
            meta: dict[str, str] = {str(k): str(v) for k, v in cur.fetchall()}
        if meta.get("format") != FORMAT_NAME:
            raise LogError(f"{self.target}: table gatekeeper_meta belongs to something else "
                           f"(format {meta.get('format')!r})", "use a database or schema of its own for the log")
        if meta.get("version") != str(FORMAT_VERSION):
            raise LogError(f"{self.target}: decision log format version {meta.get('version')!r} is not supported",
                           "upgrade gatekeeper")

    # -- writing ------------------------------------------------------------------------------------------
    def append(self, entry: Entry) -> Record:
        try:
            with self.conn.transaction(), self.conn.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (entry.repository,))
                cur.execute("SELECT seq, hash FROM gatekeeper_decision_heads WHERE repository = %s",
                            (entry.repository,))
                head = cur.fetchone()
                seq, prev = (int(head[0]) + 1, str(head[1])) if head else (1, GENESIS)
                record = new_record(entry, seq, prev)
                cur.execute("INSERT INTO gatekeeper_decisions (repository, seq, time, body, verdict, prev_hash, hash) "
                            "VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id",
                            (record.repository, record.seq, record.data()["time"], record.body, record.verdict,
                             record.prev_hash, record.hash))
                row = cur.fetchone()
                cur.execute("INSERT INTO gatekeeper_decision_heads (repository, seq, hash) VALUES (%s, %s, %s) "
                            "ON CONFLICT (repository) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash",
                            (record.repository, record.seq, record.hash))
                shas = entry.commits[:MAX_COMMITS_PER_RECORD]
                if shas:
                    cur.executemany("INSERT INTO gatekeeper_decision_commits (sha, repository, seq) "
                                    "VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                                    [(sha, record.repository, record.seq) for sha in shas])
        except self._psycopg.Error as exc:
            raise self._error(exc, "append to") from None
        return Record(int(row[0]) if row else 0, record.repository, record.seq, record.body, record.verdict,
                      record.prev_hash, record.hash)

    # -- reading ------------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every read inside sees the log as one moment: one REPEATABLE READ transaction around them (the reads'
        own transactions become savepoints in it). Each read was its own READ COMMITTED transaction, so a hook
        appending between verify's reads of heads, index and records made an intact log look edited (red116)."""
        psycopg = self._psycopg
        try:
            self.conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            with self.conn.transaction(force_rollback=True):
                yield
        except psycopg.Error as exc:
            raise self._error(exc, "read") from None
        finally:
            with contextlib.suppress(psycopg.Error):
                self.conn.isolation_level = None

    def _rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        try:
            with self.conn.transaction(), self.conn.cursor() as cur:
                cur.execute(sql, args)
                return list(cur.fetchall())
        except self._psycopg.Error as exc:
            raise self._error(exc, "read") from None

    def repositories(self) -> list[str]:
        return [str(r[0]) for r in self._rows("SELECT DISTINCT repository FROM gatekeeper_decisions ORDER BY 1")]

    def records(self, repository: str | None = None) -> Iterator[Record]:
        sql = "SELECT id, repository, seq, body, verdict, prev_hash, hash FROM gatekeeper_decisions"
        args: tuple[Any, ...] = ()
        if repository is not None:
            sql += " WHERE repository = %s"
            args = (repository,)
        sql += " ORDER BY repository, seq, id"
        try:
            with self.conn.transaction(), self.conn.cursor(name="gatekeeper_records") as cur:
                cur.itersize = 500  # a server-side cursor: the log is never held in memory whole
                cur.execute(sql, args)
                for row in cur:
                    yield Record(int(row[0]), str(row[1]), int(row[2]), str(row[3]), row[4], str(row[5]), str(row[6]))
        except self._psycopg.Error as exc:
            raise self._error(exc, "read") from None

    def heads(self) -> dict[str, Head]:
        return {str(r): Head(str(r), int(s), str(h))
                for r, s, h in self._rows("SELECT repository, seq, hash FROM gatekeeper_decision_heads")}

    def admissions(self, shas: Sequence[str]) -> dict[str, list[Admission]]:
        result: dict[str, list[Admission]] = {}
        if not shas:
            return result
        rows = self._rows("SELECT c.sha, d.repository, d.seq, d.body, d.prev_hash, d.hash "
                          "FROM gatekeeper_decision_commits c "
                          "JOIN gatekeeper_decisions d ON d.repository = c.repository AND d.seq = c.seq "
                          "WHERE c.sha = ANY(%s) ORDER BY d.id", (list(shas),))
        for sha, repo, seq, body, prev_hash, digest in rows:
            admission = admission_from_body(repo, seq, body, str(sha), prev_hash, digest)
            if admission is not None:
                result.setdefault(str(sha), []).append(admission)
        return result

    def index(self, repository: str) -> Iterator[tuple[int, str]]:
        """The commit index of one repository's chain: (seq, sha), in order (a server-side cursor)."""
        try:
            with self.conn.transaction(), self.conn.cursor(name="gatekeeper_index") as cur:
                cur.itersize = 5000
                cur.execute("SELECT seq, sha FROM gatekeeper_decision_commits WHERE repository = %s ORDER BY seq, sha",
                            (repository,))
                for seq, sha in cur:
                    yield int(seq), str(sha)
        except self._psycopg.Error as exc:
            raise self._error(exc, "read") from None

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.close()

    def _error(self, exc: Exception, what: str) -> LogError:
        text = redact_url(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
        for secret in self._secrets:  # libpq may quote a malformed part of the URL on its own
            text = text.replace(secret, "***")
        lowered = text.lower()
        if "canceling statement" in lowered or "lock timeout" in lowered:
            fix = "the log was busy for longer than the hook could wait; retry (records already written are intact)"
        elif "password" in lowered or "authentication" in lowered:
            fix = "check the user and password (in the URL, PGPASSWORD or ~/.pgpass)"
        elif "connect" in lowered or "refused" in lowered or "timeout" in lowered or "no such file" in lowered:
            fix = "check that the PostgreSQL server is running and reachable at that address"
        elif "does not exist" in lowered:
            fix = "create the database first (createdb), or fix the URL"
        elif "permission denied" in lowered:
            fix = "grant the log's user CREATE/INSERT/SELECT on the log's schema"
        else:
            fix = "check the server's log; the records already written are intact"
        return LogError(f"cannot {what} decision log {self.target}: {text}", fix)
