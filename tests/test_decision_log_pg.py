"""The decision log on a real PostgreSQL 16 (started by `pgserver` for this test run): the chain, tamper
detection, 20 concurrent writers, and the errors a down server or a wrong password give.

When PostgreSQL cannot start here the tests skip and say why; CI installs pgserver with the test extra
and runs them (pgserver runs the server as its own unprivileged user when started as root).
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from gatekeeper.audit.decisionlog import Entry, LogError, open_log, redact_url, verify


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    try:
        import pgserver
    except ImportError as exc:
        pytest.skip(f"PostgreSQL tests need pgserver (pip install -e '.[test]'): {exc}")
    # A short directory: the server's Unix socket path must stay under ~100 bytes.
    data = tempfile.mkdtemp(prefix="gkpg-")
    try:
        server = pgserver.get_server(data, cleanup_mode="stop")
    except Exception as exc:  # any failure to start is a reason to skip, stated
        pytest.skip(f"could not start PostgreSQL with pgserver in {data}: {type(exc).__name__}: {exc}")
    server.psql("CREATE DATABASE gatekeeper_test;")
    # A password-protected role, to see a wrong password refused (the rest of pg_hba trusts local users).
    server.psql("CREATE ROLE gk_pw LOGIN PASSWORD 'right-horse';")
    hba = Path(data) / "pg_hba.conf"
    hba.write_text("local all gk_pw scram-sha-256\n" + hba.read_text())
    server.psql("SELECT pg_reload_conf();")
    try:
        yield server.get_uri("gatekeeper_test")
    finally:
        server.cleanup()
        shutil.rmtree(data, ignore_errors=True)


def entry(repo: str, i: int = 0, decision: str = "allow") -> Entry:
    return Entry(repository=repo, mode="pre-receive", event="decision", decision=decision, exit_code=0,
                 refs=(("refs/heads/main", "a" * 40, "b" * 40, "update"),), pusher="jdoe",
                 commits=(f"{os.getpid():08x}{i:032x}",), verdict_json=json.dumps({"i": i}))


def _writer(url: str, repo: str, n: int) -> None:
    store = open_log(url)
    for i in range(n):
        store.append(entry(repo, i))
    store.close()


def test_chain_and_tampering(pg_url: str) -> None:
    store = open_log(pg_url)
    for i in range(4):
        store.append(entry("pg/app", i, "block" if i == 2 else "allow"))
    records = list(store.records("pg/app"))
    assert [r.seq for r in records] == [1, 2, 3, 4]
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(records))
    assert verify(store, "pg/app").ok
    sha = records[2].data()["commits"][0]
    assert store.admissions([sha])[sha][0].decision == "block"
    with store.conn.cursor() as cur:
        cur.execute("UPDATE gatekeeper_decisions SET body = replace(body, '\"block\"', '\"allow\"') "
                    "WHERE repository = 'pg/app' AND seq = 3")
        cur.execute("DELETE FROM gatekeeper_decisions WHERE repository = 'pg/app' AND seq = 1")
    store.conn.commit()
    found = [str(p) for p in verify(store, "pg/app").problems]
    assert found[0].startswith("record #1 of 'pg/app': record(s) #1 are missing (deleted)")
    assert "record #3 of 'pg/app': its content does not match its hash (edited)" in found
    store.close()


def test_tail_cut_with_head_moved_back_is_caught_by_an_anchor(pg_url: str) -> None:
    # The PostgreSQL store read against heads kept elsewhere, as the SQLite one is (test_decision_log).
    store = open_log(pg_url)
    for i in range(4):
        store.append(entry("pg/anchored", i))
    assert verify(store, "pg/anchored").ok
    anchors = verify(store, "pg/anchored").heads
    with store.conn.cursor() as cur:
        cur.execute("DELETE FROM gatekeeper_decisions WHERE repository = 'pg/anchored' AND seq = 4")
        cur.execute("DELETE FROM gatekeeper_decision_commits WHERE repository = 'pg/anchored' AND seq = 4")
        cur.execute("UPDATE gatekeeper_decision_heads SET seq = 3, hash = (SELECT hash FROM gatekeeper_decisions "
                    "WHERE repository = 'pg/anchored' AND seq = 3) WHERE repository = 'pg/anchored'")
    store.conn.commit()
    assert verify(store, "pg/anchored").ok  # valid in itself
    found = [str(p) for p in verify(store, "pg/anchored", anchors).problems]
    assert found == [f"record #4 of 'pg/anchored': the anchor holds this record (hash {anchors[0].hash[:16]}…), "
                     "but the chain ends at #3: records were cut off the end and the head moved back"]
    store.close()


def test_twenty_concurrent_writers(pg_url: str) -> None:
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(pg_url, "pg/busy", 10)) for _ in range(20)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * 20
    store = open_log(pg_url)
    assert [r.seq for r in store.records("pg/busy")] == list(range(1, 201))
    assert verify(store, "pg/busy").ok
    store.close()


def test_wrong_password_is_clear_and_not_printed(pg_url: str) -> None:
    host = pg_url.split("host=", 1)[1].split("&", 1)[0]
    url = f"postgresql://gk_pw:wrong-secret@/gatekeeper_test?host={host}"
    with pytest.raises(LogError) as exc:
        open_log(url)
    assert "password authentication failed" in exc.value.message
    assert "wrong-secret" not in exc.value.message and "***" in exc.value.message
    assert "password" in exc.value.fix


def test_server_down_is_clear(tmp_path: Path) -> None:
    with pytest.raises(LogError) as exc:
        open_log(f"postgresql://gk:s3cret@/gate?host={tmp_path}&connect_timeout=2")
    assert "cannot connect to decision log postgresql://gk:***@" in exc.value.message
    assert "s3cret" not in exc.value.message
    assert "running and reachable" in exc.value.fix


def test_redact_url() -> None:
    assert redact_url("postgresql://u:secret@h:5432/db") == "postgresql://u:***@h:5432/db"
    assert redact_url("/var/lib/gate.db") == "/var/lib/gate.db"


def test_a_held_repository_lock_fails_within_the_timeout(pg_url: str) -> None:
    import time

    import psycopg

    store = open_log(pg_url)
    store.append(entry("pg/locked"))
    store.close()
    with psycopg.connect(pg_url) as holder:
        holder.execute("SELECT pg_advisory_xact_lock(hashtextextended('pg/locked', 0))")
        started = time.monotonic()
        with pytest.raises(LogError, match="lock timeout") as exc:
            waiting = open_log(pg_url, timeout=1.0)
            try:
                waiting.append(entry("pg/locked", 1))
            finally:
                waiting.close()
        assert time.monotonic() - started < 10
        assert "retry" in exc.value.fix
        holder.rollback()
    store = open_log(pg_url)
    assert [r.seq for r in store.records("pg/locked")] == [1] and verify(store, "pg/locked").ok
    store.close()


_KILL_LOOP = """
import sys
from gatekeeper.audit.decisionlog import Entry, open_log
store = open_log(sys.argv[1])
print("ready", flush=True)
i = 0
while True:
    store.append(Entry(repository="pg/killed", mode="local", event="decision", decision="allow", exit_code=0,
                       verdict_json="x" * 200_000, commits=tuple(f"{i:08x}{j:032x}" for j in range(300))))
    i += 1
"""


def test_killed_writer_leaves_a_valid_log(pg_url: str) -> None:
    import signal
    import subprocess
    import sys
    import time

    for delay in (0.4, 0.7):
        proc = subprocess.Popen([sys.executable, "-c", _KILL_LOOP, pg_url], stdout=subprocess.PIPE)
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
    store = open_log(pg_url)
    store.append(entry("pg/killed"))  # the server rolled the dead connection back; the chain goes on
    result = verify(store, "pg/killed")
    assert result.ok and result.records >= 1
    store.close()


def test_an_edited_commit_index_is_named_and_not_joined(pg_url: str) -> None:
    """The commit index is covered by no hash (red26): a row moved to another record is named by verify, and the
    join `audit` uses believes a row only where the hashed record lists its commit — on PostgreSQL too."""
    import psycopg

    repo = "acme/pg-index"
    store = open_log(pg_url)
    blocked = store.append(entry(repo, 90_001, "block"))  # commit ids no other test of this module logs
    store.append(entry(repo, 90_002, "allow"))
    sha = blocked.data()["commits"][0]
    with psycopg.connect(pg_url) as conn:
        conn.execute("UPDATE gatekeeper_decision_commits SET seq = 2 WHERE repository = %s AND sha = %s", (repo, sha))
    assert store.admissions([sha]) == {}
    problems = [p.message for p in verify(store, repo).problems]
    store.close()
    assert any("does not list" in p for p in problems), problems
    assert any("no row in the commit index" in p for p in problems), problems
