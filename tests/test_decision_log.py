"""The hash-chained decision log on SQLite: appends, tamper detection, concurrency, crashes, bad files,
and the log as the hook, `check` and the `log` commands use it (real pushes into a bare repository)."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gatekeeper.audit.decisionlog import (
    GENESIS,
    Destination,
    Entry,
    LogError,
    canonical,
    chain_hash,
    destination,
    open_log,
    record,
    verify,
)
from gatekeeper.config import parse_policy
from gatekeeper.errors import ConfigError
from tests.hook_helpers import MOBILE, TEST_POLICY, make_server, push
from tests.leak_helpers import gk
from tests.repo_builder import RepoBuilder


def entry(repo: str = "acme/app", decision: str = "allow", commits: tuple[str, ...] = (), **kw: object) -> Entry:
    return Entry(repository=repo, mode="pre-receive", event="decision", decision=decision,
                 exit_code=0 if decision != "block" else 1, commits=commits,
                 refs=(("refs/heads/main", "a" * 40, "b" * 40, "update"),), pusher="jdoe",
                 verdict_json=json.dumps({"decision": decision}), **kw)  # type: ignore[arg-type]


def fill(path: Path, n: int = 5, repo: str = "acme/app") -> None:
    store = open_log(str(path))
    try:
        for i in range(n):
            store.append(entry(repo, "block" if i % 2 else "allow", commits=(f"{i:040x}",)))
    finally:
        store.close()


def problems(path: Path) -> list[str]:
    store = open_log(str(path), create=False)
    try:
        return [str(p) for p in verify(store).problems]
    finally:
        store.close()


def sql(path: Path, statement: str, *args: object) -> None:
    db = sqlite3.connect(path)
    db.execute(statement, args)
    db.commit()
    db.close()


# -- the chain ---------------------------------------------------------------------------------------------

def test_records_chain_per_repository(tmp_path: Path) -> None:
    log = tmp_path / "decisions.db"
    fill(log, 3, "acme/app")
    fill(log, 2, "acme/lib")
    store = open_log(str(log))
    records = list(store.records("acme/app"))
    assert [r.seq for r in records] == [1, 2, 3]
    assert records[0].prev_hash == GENESIS
    assert records[1].prev_hash == records[0].hash and records[2].prev_hash == records[1].hash
    assert records[2].hash == chain_hash(records[1].hash, records[2].body.encode())
    body = records[1].data()
    assert body["decision"] == "block" and body["pusher"] == "jdoe" and body["refs"][0]["ref"] == "refs/heads/main"
    assert body["verdict_digest"] == hashlib.sha256(records[1].verdict.encode()).hexdigest()  # type: ignore[union-attr]
    assert [r.seq for r in store.records("acme/lib")] == [1, 2]  # a chain of its own
    result = verify(store)
    assert result.ok and result.records == 5 and result.repositories == 2
    store.close()
    assert oct(log.stat().st_mode & 0o777) == "0o600"


def test_edited_record_is_named(tmp_path: Path) -> None:
    log = tmp_path / "d.db"
    fill(log)
    sql(log, "UPDATE decisions SET body = replace(body, '\"block\"', '\"allow\"') WHERE seq = 2")
    assert problems(log) == ["record #2 of 'acme/app': its content does not match its hash (edited)"]


def test_edited_verdict_is_named(tmp_path: Path) -> None:
    log = tmp_path / "d.db"
    fill(log)
    sql(log, "UPDATE decisions SET verdict = '{\"decision\":\"allow\"}' WHERE seq = 4")
    assert problems(log) == ["record #4 of 'acme/app': the stored verdict does not match the digest in the chain "
                             "(edited)"]


def test_deleted_record_is_named(tmp_path: Path) -> None:
    log = tmp_path / "d.db"
    fill(log)
    sql(log, "DELETE FROM decisions WHERE seq = 3")
    found = problems(log)
    assert found and "record #3 of 'acme/app': record(s) #3 are missing (deleted)" in found[0]


def test_deleted_tail_is_named(tmp_path: Path) -> None:
    log = tmp_path / "d.db"
    fill(log)
    sql(log, "DELETE FROM decisions WHERE seq >= 4")
    assert problems(log) == ["record #4 of 'acme/app': record(s) #4..#5 after the last one present are missing "
                             "(deleted from the end)"]


def test_reordered_records_are_named(tmp_path: Path) -> None:
    log = tmp_path / "d.db"
    fill(log)
    # Swap records 2 and 3 wholesale, sequence numbers included in the columns.
    db = sqlite3.connect(log)
    rows = {seq: row for seq, *row in db.execute("SELECT seq, body, verdict, prev_hash, hash FROM decisions")}
    for seq, other in ((2, 3), (3, 2)):
        db.execute("UPDATE decisions SET body = ?, verdict = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                   (*rows[other], seq))
    db.commit()
    db.close()
    found = problems(log)
    assert any(p.startswith("record #2 of 'acme/app'") and "renumbered" in p for p in found)
    assert any(p.startswith("record #2 of 'acme/app'") and "does not follow" in p for p in found)


def test_rewritten_chain_with_stale_head_is_named(tmp_path: Path) -> None:
    # Re-hashing an edited record (and everything after it) still leaves the head pointing elsewhere.
    log = tmp_path / "d.db"
    fill(log, 2)
    db = sqlite3.connect(log)
    seq, body, prev = db.execute("SELECT seq, body, prev_hash FROM decisions WHERE seq = 2").fetchone()
    body = body.replace('"block"', '"allow"')
    db.execute("UPDATE decisions SET body = ?, hash = ? WHERE seq = 2", (body, chain_hash(prev, body.encode())))
    db.commit()
    db.close()
    assert problems(log) == [f"record #2 of 'acme/app': the last record does not match the chain's head (head #2 "
                             f"{problems_head(log)}…; the record or the head was edited)"]


def problems_head(log: Path) -> str:
    db = sqlite3.connect(log)
    (value,) = db.execute("SELECT hash FROM decision_heads").fetchone()
    db.close()
    return str(value)[:16]


# -- concurrency and crashes -------------------------------------------------------------------------------

def _writer(path: str, repo: str, n: int) -> None:
    store = open_log(path)
    for i in range(n):
        store.append(entry(repo, commits=(f"{os.getpid():08x}{i:032x}",)))
    store.close()


def test_twenty_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    log = tmp_path / "d.db"
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(str(log), "acme/app" if i % 2 else "acme/lib", 10)) for i in range(20)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * 20
    store = open_log(str(log))
    for repo in ("acme/app", "acme/lib"):
        assert [r.seq for r in store.records(repo)] == list(range(1, 101))
    assert verify(store).ok
    assert len(store.admissions([f"{procs[0].pid:08x}{i:032x}" for i in range(10)])) == 10
    store.close()


_KILL_LOOP = """
import sys
from gatekeeper.audit.decisionlog import Entry, open_log
store = open_log(sys.argv[1])
print("ready", flush=True)
i = 0
while True:
    store.append(Entry(repository="acme/app", mode="local", event="decision", decision="allow", exit_code=0,
                       verdict_json="x" * 200_000, commits=tuple(f"{i:08x}{j:032x}" for j in range(300))))
    i += 1
"""


def test_killed_writer_leaves_a_valid_log(tmp_path: Path) -> None:
    log = tmp_path / "d.db"
    fill(log, 2)
    for delay in (0.3, 0.45):
        proc = subprocess.Popen([sys.executable, "-c", _KILL_LOOP, str(log)], stdout=subprocess.PIPE)
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
    assert problems(log) == []
    fill(log, 1)  # and it takes the next record
    assert problems(log) == []


_DISK_FULL = """
import resource, signal, sys, os
from gatekeeper.audit.decisionlog import Entry, LogError, open_log
store = open_log(sys.argv[1])
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
size = os.path.getsize(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (size + 8192, size + 8192))
try:
    store.append(Entry(repository="acme/app", mode="local", event="decision", decision="allow", exit_code=0,
                       verdict_json="y" * 2_000_000))
except LogError as exc:
    print("LogError:", exc.message)
    print("fix:", exc.fix)
    sys.exit(4)
"""


def test_disk_full_is_a_clear_error_and_loses_nothing(tmp_path: Path) -> None:
    log = tmp_path / "d.db"
    fill(log, 3)
    proc = subprocess.run([sys.executable, "-c", _DISK_FULL, str(log)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 4, proc.stderr
    assert "cannot append to decision log" in proc.stdout
    store = open_log(str(log))
    assert [r.seq for r in store.records()] == [1, 2, 3] and verify(store).ok
    store.close()


# -- bad files ---------------------------------------------------------------------------------------------

def test_foreign_file_is_refused_untouched(tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_bytes(b"this is not a database, it is a shopping list\n" * 200)
    before = junk.read_bytes()
    with pytest.raises(LogError) as exc:
        open_log(str(junk))
    assert "not a database" in exc.value.message and "new file" in exc.value.fix
    assert junk.read_bytes() == before


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "app.db"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE users (name TEXT)")
    db.commit()
    db.close()
    with pytest.raises(LogError, match=r"SQLite database of something else \(tables: users\)"):
        open_log(str(other))


def test_corrupted_log_is_a_clear_error(tmp_path: Path) -> None:
    log = tmp_path / "d.db"
    fill(log, 3)
    data = bytearray(log.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the header's tail and the schema page
    log.write_bytes(bytes(data))
    with pytest.raises(LogError) as exc:
        store = open_log(str(log))
        list(store.records())
    assert "damaged" in exc.value.message or "malformed" in exc.value.message


def test_symlinked_log_is_refused(tmp_path: Path) -> None:
    (tmp_path / "target.db").write_bytes(b"")
    (tmp_path / "link.db").symlink_to(tmp_path / "target.db")
    with pytest.raises(LogError, match="symbolic link"):
        open_log(str(tmp_path / "link.db"))


def test_missing_log_is_not_created_by_readers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = gk(capsys, "log", "verify", "--log", str(tmp_path / "nope.db"))
    assert code == 4 and "does not exist" in out
    assert not (tmp_path / "nope.db").exists()


# -- where the log is, and whether it may decide -------------------------------------------------------------

def test_policy_log_key_is_strict() -> None:
    policy = parse_policy("version: 1\nlog: {path: decisions.db, required: true}\n")
    assert policy.log.path == "decisions.db" and policy.log.required
    with pytest.raises(ConfigError, match=r"log\.paht: unknown key"):
        parse_policy("version: 1\nlog: {paht: x.db}\n")
    with pytest.raises(ConfigError, match=r"log\.required: expected true or false"):
        parse_policy("version: 1\nlog: {path: x.db, required: yes please}\n")


def test_environment_wins_and_repository_policies_stay_in_git_dir(tmp_path: Path) -> None:
    env = {"GATEKEEPER_DECISION_LOG": "/srv/gate/log.db"}
    assert destination(env, "mine.db", False).target == "/srv/gate/log.db"
    assert destination({}, "mine.db", False, repository_root=tmp_path).target == str(tmp_path / "mine.db")
    outside = destination({}, "/etc/cron.d/x", False, repository_root=tmp_path, from_repository=True)
    assert outside.target is None and outside.problem is not None and "relative path" in outside.problem
    assert destination({}, "../x.db", True, repository_root=tmp_path, from_repository=True).problem
    # A repository's policy may name no database server (red100, red101: libpq hands it the runner's PGPASSWORD);
    # the environment and a policy given by path may.
    assert destination({}, "postgresql:///gate?host=/run/pg", False, from_repository=True).target is None
    remote = destination({}, "postgresql://u@db/gate", False, from_repository=True)
    assert remote.target is None and remote.problem is not None and "GATEKEEPER_DECISION_LOG" in remote.problem
    assert destination({}, "postgresql://u@db/gate", False).target == "postgresql://u@db/gate"


def test_unreachable_log_warns_unless_required(tmp_path: Path) -> None:
    warnings: list[str] = []
    bad = Destination(str(tmp_path / "no-such-dir" / "d.db"), False, "test")
    assert record(bad, entry(), warnings.append) is None
    assert warnings and "the decision was not logged" in warnings[0]
    with pytest.raises(LogError, match="fails closed"):
        record(Destination(bad.target, True, "test"), entry(), warnings.append)
    with pytest.raises(LogError, match="none is configured"):
        record(Destination(None, True, "none"), entry(), warnings.append)


# -- the hook, check and the log commands --------------------------------------------------------------------

def _server_and_clone(tmp_path: Path, policy: str = TEST_POLICY) -> tuple[object, RepoBuilder]:
    server = make_server(tmp_path / "srv", policy=policy)
    clone = server.clone()
    clone.commit("init", {"README.md": "hello\n"})
    return server, clone


def test_pre_receive_appends_every_decision(tmp_path: Path) -> None:
    server, clone = _server_and_clone(tmp_path)
    log = tmp_path / "decisions.db"
    env = {"GATEKEEPER_DECISION_LOG": str(log), "GATEKEEPER_PUSHER": "jdoe"}
    assert push(clone, "origin", "HEAD:refs/heads/main", env=env).code == 0
    mobile = clone.commit("phone fix" + MOBILE, {"a.txt": "x\n"})
    blocked = push(clone, "origin", "HEAD:refs/heads/main", env=env)
    assert blocked.code != 0
    store = open_log(str(log))
    records = list(store.records())
    assert [r.data()["decision"] for r in records] == ["allow", "block"]
    last = records[-1].data()
    assert last["mode"] == "pre-receive" and last["refs"][0]["ref"] == "refs/heads/main"
    assert last["pusher"] == "jdoe" and mobile in last["commits"]
    assert "review/missing" in last["blocking_rules"]
    assert last["repository"] == str((tmp_path / "srv" / "server.git").resolve())
    assert json.loads(records[-1].verdict or "{}")["decision"] == "block"
    assert store.admissions([mobile])[mobile][0].decision == "block"
    assert verify(store).ok
    store.close()


def test_required_log_fails_closed_and_optional_log_only_warns(tmp_path: Path) -> None:
    unwritable = tmp_path / "missing-dir" / "decisions.db"
    server, clone = _server_and_clone(tmp_path, TEST_POLICY + "log: {path: decisions.db, required: true}\n")
    env = {"GATEKEEPER_DECISION_LOG": str(unwritable)}
    refused = push(clone, "origin", "HEAD:refs/heads/main", env=env)
    assert refused.code != 0 and server.tip() is None
    assert "the policy requires the decision log (log.required: true), so the gate fails closed" in refused.remote_text
    assert "push ACCEPTED" not in refused.remote_text
    # The policy's own path (relative: inside the server's git dir) works.
    assert push(clone, "origin", "HEAD:refs/heads/main").code == 0
    store = open_log(str(tmp_path / "srv" / "server.git" / "decisions.db"))
    assert [r.data()["decision"] for r in store.records()] == ["allow"]
    store.close()

    server2, clone2 = _server_and_clone(tmp_path / "two")
    accepted = push(clone2, "origin", "HEAD:refs/heads/main", env=env)
    assert accepted.code == 0 and server2.tip() is not None  # type: ignore[attr-defined]
    assert "warning: the decision was not logged" in accepted.remote_text


def test_check_appends_and_log_commands_read(tmp_path: Path, repo: RepoBuilder, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    repo.commit("one", {"a.txt": "1\n"})
    head = repo.commit("two", {"a.txt": "2\n"})
    log = tmp_path / "decisions.db"
    monkeypatch.setenv("GATEKEEPER_DECISION_LOG", str(log))
    code, out = gk(capsys, "check", "--repo", str(repo.path), "--format", "json")
    assert code == 0, out
    code, out = gk(capsys, "log", "show")
    assert code == 0 and "#1 " in out and "local/decision" in out
    code, out = gk(capsys, "log", "export", "--format", "json")
    data = json.loads(out)
    assert data["records"][0]["commits"][-1] == head and data["records"][0]["verdict"]["decision"] == "allow"
    assert data["records"][0]["hash"] == data["records"][0]["hash"].lower() and len(data["records"][0]["hash"]) == 64
    code, out = gk(capsys, "log", "verify")
    assert code == 0 and "all intact" in out
    sql(log, "UPDATE decisions SET body = replace(body, 'local', 'lokal')")
    code, out = gk(capsys, "log", "verify")
    assert code == 1
    assert "record #1 of " in out and "(edited)" in out


def test_log_commands_need_a_log(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = gk(capsys, "log", "show")
    assert code == 2 and "GATEKEEPER_DECISION_LOG" in out


def test_a_held_lock_fails_within_the_callers_timeout(tmp_path: Path) -> None:
    # A hook waits for the log no longer than its budget allows; the failure is a clear LogError.
    log = tmp_path / "d.db"
    fill(log, 1)
    holder = sqlite3.connect(log, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        with pytest.raises(LogError, match=r"still locked after 0\.5s"):
            store = open_log(str(log), timeout=0.5)
            store.append(entry())
        assert time.monotonic() - started < 5
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert problems(log) == []


def test_hostile_push_is_logged_verifiable_and_shown_safely(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    server, clone = _server_and_clone(tmp_path)
    log = tmp_path / "decisions.db"
    env = {"GATEKEEPER_DECISION_LOG": str(log), "GATEKEEPER_PUSHER": "eve\x1b[2Jwiped"}
    clone.commit("\x1b[31mred\x1b[0m \u202eevil \"quotes\" \\ {json}\n\nOrigin-Device: mobile\n", {"x.txt": "1\n"})
    push(clone, "origin", "HEAD:refs/heads/feature/\u202eevil-\u00fcnicode", env=env)
    code, out = gk(capsys, "log", "verify", "--log", str(log))
    assert code == 0, out
    code, out = gk(capsys, "log", "show", "--log", str(log))
    assert code == 0 and "feature/" in out
    assert "\x1b" not in out and "\u202e" not in out
    code, out = gk(capsys, "log", "export", "--log", str(log), "--format", "json")
    record = json.loads(out)["records"][0]
    assert record["refs"][0]["ref"].startswith("refs/heads/feature/")  # kept as data, escaped by JSON


# -- anchors: heads kept outside the log -------------------------------------------------------------------

def anchor_of(capsys: pytest.CaptureFixture[str], log: Path, tmp_path: Path, name: str = "anchor.json") -> Path:
    """What a security team keeps: `log verify --format json` of an intact log, in a file of its own."""
    code, out = gk(capsys, "log", "verify", "--log", str(log), "--format", "json")
    assert code == 0, out
    data = json.loads(out)
    assert data["ok"] is True and data["problems"] == [] and data["heads"]
    path = tmp_path / name
    path.write_text(out)
    return path


def test_tail_cut_with_head_moved_back_is_caught_only_by_an_anchor(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    # Whoever can write the log deletes the last two records (a `block` among them) and moves the head back onto
    # the new last record: every hash and link still holds, so without an anchor verify cannot tell.
    log = tmp_path / "d.db"
    fill(log, 5)
    fill(log, 2, "acme/lib")
    anchor = anchor_of(capsys, log, tmp_path)
    db = sqlite3.connect(log)
    db.execute("DELETE FROM decisions WHERE repository = 'acme/app' AND seq >= 4")
    db.execute("DELETE FROM decision_commits WHERE repository = 'acme/app' AND seq >= 4")
    (kept,) = db.execute("SELECT hash FROM decisions WHERE repository = 'acme/app' AND seq = 3").fetchone()
    db.execute("UPDATE decision_heads SET seq = 3, hash = ? WHERE repository = 'acme/app'", (kept,))
    db.commit()
    db.close()
    code, out = gk(capsys, "log", "verify", "--log", str(log))
    assert code == 0 and "all intact" in out  # the limit an anchor exists for
    code, out = gk(capsys, "log", "verify", "--log", str(log), "--anchor", str(anchor))
    assert code == 1, out
    assert "record #5 of 'acme/app': the anchor holds this record" in out
    assert "the chain ends at #3: records were cut off the end and the head moved back" in out
    assert "acme/lib" not in out  # the other chain is intact and in place
    code, out = gk(capsys, "log", "verify", "--log", str(log), "--anchor", str(anchor), "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["ok"] is False and data["anchored"] == 2
    assert [(p["repository"], p["seq"]) for p in data["problems"]] == [("acme/app", 5)]


def test_chain_rehashed_after_an_edit_is_caught_by_an_anchor(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    # Record 2 turned from `block` into `allow`, then 2..5 and the head re-hashed: a chain valid in itself.
    log = tmp_path / "d.db"
    fill(log, 5)
    anchor = anchor_of(capsys, log, tmp_path)
    db = sqlite3.connect(log)
    rows = db.execute("SELECT seq, body FROM decisions WHERE repository = 'acme/app' ORDER BY seq").fetchall()
    prev = GENESIS
    for seq, body in rows:
        data = json.loads(body)
        data["prev_hash"] = prev
        if seq == 2:
            data["decision"] = "allow"
        body = canonical(data).decode()
        digest = chain_hash(prev, body.encode())
        db.execute("UPDATE decisions SET body = ?, prev_hash = ?, hash = ? WHERE seq = ?", (body, prev, digest, seq))
        prev = digest
    db.execute("UPDATE decision_heads SET hash = ? WHERE repository = 'acme/app'", (prev,))
    db.commit()
    db.close()
    assert problems(log) == []
    code, out = gk(capsys, "log", "verify", "--log", str(log), "--anchor", str(anchor))
    assert code == 1
    assert "record #5 of 'acme/app': its hash is not the one the anchor holds" in out and "re-hashed" in out


def test_anchor_survives_appends_and_catches_a_deleted_chain(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "d.db"
    fill(log, 3)
    fill(log, 1, "acme/lib")
    anchor = anchor_of(capsys, log, tmp_path)
    fill(log, 4)  # the gate goes on deciding: an old anchor still holds
    code, out = gk(capsys, "log", "verify", "--log", str(log), "--anchor", str(anchor))
    assert code == 0 and "each of the 2 anchored record(s) in place" in out, out
    code, out = gk(capsys, "log", "verify", "--log", str(log), "--anchor", str(anchor), "--repository", "acme/lib")
    assert code == 0 and "each of the 1 anchored record(s) in place" in out, out
    code, out = gk(capsys, "log", "verify", "--log", str(log), "--anchor", str(anchor), "--repository", "acme/new")
    assert code == 2 and "holds no head of 'acme/new'" in out  # an anchor that checks nothing is not a pass
    sql(log, "DELETE FROM decisions WHERE repository = 'acme/lib'")
    sql(log, "DELETE FROM decision_heads WHERE repository = 'acme/lib'")
    sql(log, "DELETE FROM decision_commits WHERE repository = 'acme/lib'")
    assert problems(log) == []  # a chain deleted whole, head and all
    code, out = gk(capsys, "log", "verify", "--log", str(log), "--anchor", str(anchor))
    assert code == 1 and "record #1 of 'acme/lib': the anchor holds this record" in out and "ends at #0" in out


@pytest.mark.parametrize(("content", "said"), [
    ("not json", "the anchor is not JSON"),
    ('{"ok": true}', "no list of `heads`"),
    ('{"ok": false, "heads": [{"repository": "acme/app", "seq": 1, "hash": "' + "a" * 64 + '"}]}',
     "found problems"),
    ('{"ok": true, "heads": [{"repository": "acme/app", "seq": true, "hash": "' + "a" * 64 + '"}]}', "head 1"),
    ('{"ok": true, "heads": [{"repository": "acme/app", "seq": 1, "hash": "' + "A" * 64 + '"}]}', "head 1"),
    ('{"ok": true, "heads": []}', "holds no head"),
    ("[" * 100_000, "not JSON"),
])
def test_bad_anchor_is_a_clear_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str,
                                           said: str) -> None:
    log = tmp_path / "d.db"
    fill(log, 2)
    anchor = tmp_path / "anchor.json"
    anchor.write_text(content)
    code, out = gk(capsys, "log", "verify", "--log", str(log), "--anchor", str(anchor))
    assert code == 2 and said in out, out
    code, out = gk(capsys, "log", "verify", "--log", str(log), "--anchor", str(tmp_path / "missing.json"))
    assert code == 2 and "cannot read the anchor" in out
    assert problems(log) == []  # nothing was touched


def test_a_log_path_that_is_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    """A FIFO at the log's path held `log verify` (and would hold a hook appending) in open() until something wrote
    to it: SQLite opens whatever the path names. Refused as no regular file, for readers and writers."""
    import os

    from gatekeeper.audit.decisionlog import LogError, open_log

    fifo = tmp_path / "decisions.db"
    os.mkfifo(fifo)
    for create in (False, True):
        with pytest.raises(LogError, match="not a regular file"):
            open_log(str(fifo), create=create)
