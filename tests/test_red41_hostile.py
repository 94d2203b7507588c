"""Red team red41: the tamper-evident decision log (`gatekeeper log verify|show|export`) and the audit's join of it.

Each reproduction but the two controls fails on w/red41 at 79beb70 for the reason its docstring names, and asserts the secure behaviour.
Real SQLite logs (gatekeeper.audit.decisionlog), real repositories (tests/repo_builder.py), real `git push`es into a
bare repository with the installed hook (tests/hook_helpers.py), the CLI in-process (tests/leak_helpers.gk).
Attacker models: (a) write access to the log file but not to the gate's code; (b) a pusher; (c) a damaged log.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.audit.decisionlog import Entry, open_log, verify
from tests.hook_helpers import TEST_POLICY, make_server, push
from tests.leak_helpers import gk
from tests.repo_builder import RepoBuilder


def _entry(repository: str, decision: str, commits: tuple[str, ...], **kw: Any) -> Entry:
    return Entry(repository=repository, mode="pre-receive", event="decision", decision=decision,
                 exit_code=0 if decision == "allow" else 1, commits=commits,
                 refs=(("refs/heads/main", "0" * 40, commits[-1] if commits else "1" * 40, "update"),),
                 pusher="mallory", verdict_json=json.dumps({"decision": decision}), **kw)


def _sql(log: Path, *statements: tuple[str, tuple[Any, ...]]) -> None:
    db = sqlite3.connect(log)
    for statement, args in statements:
        db.execute(statement, args)
    db.commit()
    db.close()


def two_commits(tmp_path: Path) -> tuple[RepoBuilder, str, Path]:
    """A repository with two commits (its head returned) and where a decision log for it goes."""
    repo = RepoBuilder.init(tmp_path / "repo")
    repo.commit("init\n", {"README.md": "hello\n"})
    return repo, repo.commit("two\n", {"a.txt": "2\n"}), tmp_path / "decisions.db"


def _audit_json(capsys: pytest.CaptureFixture[str], repo: Path, *args: str) -> tuple[int, str]:
    return gk(capsys, "audit", "--repo", str(repo), "--format", "json", "--no-progress", *args)


# -- 1. A whole chain deleted: `log verify --repository R` says "all intact" --------------------------------------
#
# decisionlog.verify (decisionlog.py:123-178, the `head is None` branch at 147) walks `[repository]` when one is named; when the repository has no
# record and no head (both deleted, with its commit-index rows) the loop reports nothing: `head is None` and
# `last is None` together are treated as "fine". cli_log.log_verify then prints "0 record(s) in 1 chain(s), all
# intact" and exits 0. docs/audit.md tells operators to anchor the heads `log verify` prints: checking the anchored
# chain by name after the admin wiped it is exactly the check that must fail.

def test_verify_of_a_named_chain_that_was_wiped_is_not_all_intact(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Attack (a): an administrator deletes every record, the head and the index rows of `github:acme/app` (the
    repository whose refused pushes they want gone), leaving the other repositories' chains alone. Then
    `gatekeeper log verify --repository github:acme/app` -- the very check an operator runs against the head they
    anchored elsewhere -- exits 0 with "all intact". Severity: medium -- complete, silent erasure of one repository's
    history of decisions passes the named verification (the un-named verify at least lists fewer heads).
    Secure: verifying a chain that has no head and no record at all is a failure (exit 1) naming the repository
    ("no chain": deleted, or the name is wrong), never "all intact"."""
    log = tmp_path / "decisions.db"
    store = open_log(str(log))
    for i in range(3):
        store.append(_entry("github:acme/app", "block", (f"{i:040x}",)))
        store.append(_entry("github:acme/lib", "allow", (f"{i + 100:040x}",)))
    store.close()
    code, out = gk(capsys, "log", "verify", "--log", str(log), "--repository", "github:acme/app")
    assert code == 0 and "head #3" in out, out  # control: intact before the wipe
    _sql(log, ("DELETE FROM decisions WHERE repository = ?", ("github:acme/app",)),
         ("DELETE FROM decision_heads WHERE repository = ?", ("github:acme/app",)),
         ("DELETE FROM decision_commits WHERE repository = ?", ("github:acme/app",)))
    code, out = gk(capsys, "log", "verify", "--log", str(log), "--repository", "github:acme/app")
    assert code != 0 and "all intact" not in out, out


# -- 2. A damaged head row: the optional log decides the gate --------------------------------------------------------
#
# sqlite_store.SqliteStore.append (sqlite_store.py:147-170, line 152) computes `head[0] + 1` and `chain_hash(prev, …)` from
# the decision_heads row and converts only sqlite3.Error into LogError. A head whose seq is not a number (SQLite
# keeps any value in an INTEGER column of a non-STRICT table) raises TypeError, which decisionlog.record
# (decisionlog.py:310-335) does not catch (`except LogError`). docs/audit.md: "The gate never depends on the log
# unless the policy says so. A log that cannot be opened or written (… a corrupted or foreign file …) is a one-line
# warning and the decision stands." Here `check` exits 4 "internal error", the Action likewise, and the pre-receive
# hook rejects the push (its `_finish` re-raises into `_fail`, which finds `done` set and returns 4 without a word).

def _damaged_head_log(tmp_path: Path) -> Path:
    log = tmp_path / "decisions.db"
    store = open_log(str(log))
    store.append(_entry("seed", "allow", ("a" * 40,)))
    store.close()
    return log


def test_a_damaged_head_row_does_not_decide_check_when_the_log_is_optional(tmp_path: Path, capsys,  # type: ignore[no-untyped-def]
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Attack (c), or (a) as sabotage: one head row of the shared log is damaged (`seq` = 'x'). Every `gatekeeper
    check` that logs to that repository's chain then exits 4 (internal error: TypeError) instead of its verdict,
    though the policy does not require the log. Severity: medium -- the documented contract ("never depends on the
    log unless the policy says so") is broken, and whoever can write the log can stop every gate run on the server
    (pre-receive rejects every push, silently). Secure: the failure is a LogError like any other damaged log: a
    one-line "the decision was not logged" warning and the verdict's own exit code (0 here)."""
    repo = RepoBuilder.init(tmp_path / "repo")
    repo.commit("init\n", {"README.md": "hello\n"})
    repo.commit("two\n", {"a.txt": "2\n"})
    log = _damaged_head_log(tmp_path)
    toplevel = repo.git("rev-parse", "--show-toplevel").strip()  # how modes/local.py names the repository
    _sql(log, ("INSERT INTO decision_heads (repository, seq, hash) VALUES (?, 'x', ?)", (toplevel, "0" * 64)))
    monkeypatch.setenv("GATEKEEPER_DECISION_LOG", str(log))
    code, out = gk(capsys, "check", "--repo", str(repo.path), "--format", "json")
    assert "internal error" not in out, out
    assert code == 0 and "not logged" in out, out


def test_a_damaged_head_row_does_not_reject_a_clean_push_when_the_log_is_optional(tmp_path: Path) -> None:
    """The same damaged head row under the pre-receive hook (GATEKEEPER_DECISION_LOG, no `log.required`): a clean
    push the gate allows is rejected with exit 4 and not one line of explanation (pushlog.record_outcome →
    decisionlog.record lets the TypeError out; pre_receive._finish has set `done`, so _fail says nothing).
    Severity: medium (as above: a damaged optional log stops every push). Secure: accepted, with the "decision was
    not logged" warning."""
    server = make_server(tmp_path / "srv", policy=TEST_POLICY)
    clone = server.clone()
    clone.commit("init\n", {"README.md": "hello\n"})
    log = _damaged_head_log(tmp_path)
    name = str((tmp_path / "srv" / "server.git").resolve())
    _sql(log, ("INSERT INTO decision_heads (repository, seq, hash) VALUES (?, 'x', ?)", (name, "0" * 64)))
    result = push(clone, "origin", "HEAD:refs/heads/main", env={"GATEKEEPER_DECISION_LOG": str(log)})
    assert result.code == 0 and server.tip() is not None, result.remote_text
    assert "not logged" in result.remote_text, result.remote_text


# -- 3. One unreadable record: the audit crashes instead of noting it -------------------------------------------------
#
# mode.py's contract: "The decision log … one that cannot be read is a note in the report, never a failure: the
# audit reports, it does not gate." But mode.run_audit_command (mode.py:167-182) catches only dlog.LogError around
# history.decisions_over_time (history.py:1407-1422), which calls `record.data()` -- json.loads of the body -- and
# iterates `blocking_rules` without a guard; logformat.admission_from_body (logformat.py:210-223) indexes
# `refs[0]` of whatever the body holds. A body that is not JSON (ValueError) or whose `refs` is a number (TypeError)
# escapes as "internal error", exit 4, no report.

def test_an_unreadable_record_is_a_note_in_the_audit_not_a_crash(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Attack (a): whoever can write the log edits one record of this repository so its body is not JSON (verify
    would name it -- but the auditor never gets a report). `gatekeeper audit --log …` dies with "internal error:
    JSONDecodeError", exit 4: one byte stops the whole history audit, in every format. Severity: low-medium --
    denial of the audit report (the evidence the compliance owner needs) by the party the log should expose.
    Secure: exit 0, a report, and a note that a record could not be read (and was not joined)."""
    repo, head, log = two_commits(tmp_path)
    name = str(repo.path.resolve())
    store = open_log(str(log))
    store.append(_entry(name, "allow", (head,)))
    store.append(_entry(name, "block", ("c" * 40,)))
    store.close()
    _sql(log, ("UPDATE decisions SET body = '{not json' WHERE seq = 2", ()))
    code, out = _audit_json(capsys, repo.path, "--log", str(log))
    assert code == 0 and "internal error" not in out, out
    data = json.loads(out[: out.rindex("}") + 1])
    assert any("decision log" in note for note in data["summary"]["notes"]), data["summary"]["notes"]


def test_a_record_whose_refs_is_a_number_does_not_crash_the_audit_join(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Attack (a), variant: the record is valid JSON and still lists the commit, but `refs` is `5`:
    admission_from_body's `refs[0]` raises TypeError, not caught by history's `except LogError`: exit 4, no report.
    Severity: low (same denial as above, through the join rather than the monthly counts). Secure: the record is
    not believed (or joined without a ref) and the audit completes."""
    repo, head, log = two_commits(tmp_path)
    name = str(repo.path.resolve())
    store = open_log(str(log))
    store.append(_entry(name, "allow", (head,)))
    store.close()
    db = sqlite3.connect(log)
    (body,) = db.execute("SELECT body FROM decisions").fetchone()
    data = json.loads(body)
    data["refs"] = 5
    db.execute("UPDATE decisions SET body = ?", (json.dumps(data, sort_keys=True, separators=(",", ":")),))
    db.commit()
    db.close()
    code, out = _audit_json(capsys, repo.path, "--log", str(log))
    assert code == 0 and "internal error" not in out, out


def test_log_show_and_export_survive_one_unreadable_record(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Attack (a): one record's body is made non-JSON. `gatekeeper log show` and `log export` -- the tools an
    investigator uses to read the log once `verify` says it is broken -- die with "internal error:
    JSONDecodeError" (cli_log.py:82 `record.data()`, decisionlog.record_dict) and show nothing of the intact
    records either. Severity: low -- the tampering is still named by verify, but the rest of the log cannot be read
    or exported with the tool. Secure: exit 0; the intact records are shown/exported and the unreadable one is
    marked as such (its raw body kept as text in the export)."""
    log = tmp_path / "decisions.db"
    store = open_log(str(log))
    for i in range(3):
        store.append(_entry("github:acme/app", "allow", (f"{i:040x}",)))
    store.close()
    _sql(log, ("UPDATE decisions SET body = 'garbage' WHERE seq = 2", ()))
    code, out = gk(capsys, "log", "show", "--log", str(log))
    assert code == 0 and "internal error" not in out and "#3" in out, out
    code, out = gk(capsys, "log", "export", "--log", str(log), "--format", "json")
    assert code == 0 and "internal error" not in out, out
    assert len(json.loads(out)["records"]) == 3


# -- 4. The text audit prints the log's decision names raw -----------------------------------------------------------
#
# render.render_text (render.py:430) writes `decisions["commits_by_decision"]` keys -- the `decision` string out of
# each joined record's body (logformat.admission_from_body) -- with no sanitize.safe, unlike every other value it
# prints. Nothing in the chain constrains `decision` to allow/warn/block/error: a record appended through the
# store's own API (any party with write access can, there is no key) is hash-valid and `log verify` passes.

def test_the_text_audit_does_not_print_a_logged_decision_name_raw(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Attack (a): a record appended with decision `allow\\x1b[2K\\r…\\n…` (clear line, carriage return, newline)
    for a commit of this repository. `log verify` passes (the chain is consistent), and `gatekeeper audit` (text)
    writes the escape sequence and the newline to the reader's terminal: the "decision log:" line can be rewritten
    and a fake summary line added (e.g. "unreviewed … : 0"). Severity: low -- needs log write access, and the JSON
    report is safe; but the text report is the one read on a terminal. Secure: the value goes through
    sanitize.safe like every other (no ESC, no control characters; one line)."""
    repo, head, log = two_commits(tmp_path)
    store = open_log(str(log))
    store.append(_entry(str(repo.path.resolve()), "allow\x1b[2K\rdecision log: 0 record(s)\nFORGED: all reviewed",
                        (head,)))
    assert verify(store).ok
    store.close()
    code, out = gk(capsys, "audit", "--repo", str(repo.path), "--format", "text", "--no-progress", "--log", str(log))
    assert code == 0, out
    assert "\x1b" not in out and "\r" not in out, out
    assert not any(line.startswith("FORGED") for line in out.splitlines()), out


# -- 5. The join believes the unhashed `repository` column ----------------------------------------------------------
#
# red26 made the join believe an index row only where the hashed body lists the commit. But the Admission's
# repository (and seq) is still the `decisions.repository` / `decisions.seq` COLUMN (sqlite_store.admissions,
# sqlite_store.py:191-203 → logformat.admission_from_body(repo, seq, …), logformat.py:211), not the body's
# `repository`, which is what the hash covers; history._Window filters on that column against log_names (red29).
# decisions_over_time reads records by the same column.

def test_a_record_moved_from_another_repositorys_chain_is_not_joined_as_this_ones(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Attack (a): the commit refused by acme/app's gate was allowed in the pusher's scratch repository on the same
    server (same log, red29's setup). The attacker relabels the scratch chain's record -- two column updates
    (decisions.repository, decision_commits.repository), body and hash untouched -- as acme/app's record #2. The
    audit of acme/app now says an `allow` decision admitted the refused commit. (`log verify` does name the move:
    the body says another repository -- but the audit never checks, exactly the gap red26 closed for the index.)
    Severity: low -- needs log write access and is caught by verify. Secure: the join takes a record as this
    repository's only when its hashed body says so (body `repository` and `seq` equal the columns)."""
    repo = RepoBuilder.init(tmp_path / "app")
    repo.commit("init\n", {"README.md": "hello\n"})
    refused = repo.commit("agent work\n\nAssisted-by: codex:gpt-5-codex\n", {"app.py": "x = 1\n"})
    name = str(repo.path.resolve())
    scratch = str(tmp_path / "mallory-scratch.git")
    log = tmp_path / "decisions.db"
    store = open_log(str(log))
    store.append(_entry(name, "block", (refused,), blocking_rules=("review/missing",)))
    store.append(_entry(scratch, "allow", (refused,)))
    store.close()
    _sql(log, ("UPDATE decisions SET repository = ?, seq = 2 WHERE repository = ?", (name, scratch)),
         ("UPDATE decision_commits SET repository = ?, seq = 2 WHERE repository = ?", (name, scratch)))
    code, out = _audit_json(capsys, repo.path, "--log", str(log))
    assert code == 0, out
    data = json.loads(out[: out.rindex("}") + 1])
    joined = {c["sha"]: c["decisions"] for c in data["commits"]}[refused]
    assert [d["decision"] for d in joined] == ["block"], joined
    assert "allow" not in data["summary"]["decisions"]["commits_by_decision"], data["summary"]["decisions"]


# -- controls: attacks that are stopped ------------------------------------------------------------------------------

def test_control_a_record_spliced_from_another_chain_is_named_by_verify(tmp_path: Path) -> None:
    """Control (passes): acme/lib's record #2 (a valid record with its own valid hash) copied over acme/app's record
    #2, and acme/app's head moved to it. verify names the splice: the body says another repository, and it does not
    follow acme/app's record #1."""
    log = tmp_path / "decisions.db"
    store = open_log(str(log))
    for i in range(2):
        store.append(_entry("acme/app", "block", (f"{i:040x}",)))
        store.append(_entry("acme/lib", "allow", (f"{i:040x}",)))
    store.close()
    db = sqlite3.connect(log)
    body, verdict, prev, digest = db.execute(
        "SELECT body, verdict, prev_hash, hash FROM decisions WHERE repository = 'acme/lib' AND seq = 2").fetchone()
    db.execute("UPDATE decisions SET body = ?, verdict = ?, prev_hash = ?, hash = ? "
               "WHERE repository = 'acme/app' AND seq = 2", (body, verdict, prev, digest))
    db.execute("UPDATE decision_heads SET hash = ? WHERE repository = 'acme/app'", (digest,))
    db.commit()
    db.close()
    store = open_log(str(log), create=False)
    found = [str(p) for p in verify(store).problems]
    store.close()
    assert any("its body says record #2 of 'acme/lib'" in p for p in found), found
    assert any("does not follow the record before it" in p for p in found), found


def test_control_a_duplicated_record_is_named_by_verify(tmp_path: Path) -> None:
    """Control (passes): the attacker rebuilds `decisions` without its UNIQUE (repository, seq) constraint and adds
    a second copy of record #1 (to double an `allow` in the monthly counts). verify names the copy: it does not
    follow the record before it."""
    log = tmp_path / "decisions.db"
    store = open_log(str(log))
    for i in range(2):
        store.append(_entry("acme/app", "allow", (f"{i:040x}",)))
    store.close()
    _sql(log, ("ALTER TABLE decisions RENAME TO old_decisions", ()),
         ("CREATE TABLE decisions (id INTEGER PRIMARY KEY AUTOINCREMENT, repository TEXT NOT NULL, seq INTEGER "
          "NOT NULL, time TEXT NOT NULL, body TEXT NOT NULL, verdict TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT "
          "NULL)", ()),
         ("INSERT INTO decisions SELECT * FROM old_decisions", ()),
         ("INSERT INTO decisions (repository, seq, time, body, verdict, prev_hash, hash) SELECT repository, seq, "
          "time, body, verdict, prev_hash, hash FROM old_decisions WHERE seq = 1", ()),
         ("DROP TABLE old_decisions", ()))
    store = open_log(str(log), create=False)
    found = [str(p) for p in verify(store).problems]
    store.close()
    assert any("record #1 of 'acme/app': it does not follow" in p for p in found), found
