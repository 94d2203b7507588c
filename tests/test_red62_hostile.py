"""Red team red62: `gatekeeper log verify --format json` / `--anchor FILE` (decisionlog.verify, read_anchors,
cli_log.log_verify) and what the decision log prints about where it is.

Each reproduction fails on w/red62 at 8196dcc for the reason its docstring names, and asserts the secure behaviour.
Real SQLite logs, the CLI in-process (tests/leak_helpers.gk). Attacker models: (a) write access to the log database
but not to the anchor file kept elsewhere; (b) anyone who reads the gate's output (a CI log, a pusher's terminal).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from gatekeeper.audit.decisionlog import GENESIS, LOG_ENV, Destination, Entry, canonical, chain_hash, open_log, record
from tests.leak_helpers import gk


def _entry(repository: str = "acme/app", decision: str = "allow") -> Entry:
    return Entry(repository=repository, mode="pre-receive", event="decision", decision=decision,
                 exit_code=0 if decision == "allow" else 1, commits=(),
                 refs=(("refs/heads/main", "a" * 40, "b" * 40, "update"),), pusher="mallory",
                 verdict_json=json.dumps({"decision": decision}))


def _fill(log: Path, repository: str = "acme/app", n: int = 3) -> None:
    store = open_log(str(log))
    try:
        for i in range(n):
            store.append(_entry(repository, "block" if i % 2 else "allow"))
    finally:
        store.close()


def _json_verify(capsys: pytest.CaptureFixture[str], log: Path) -> tuple[int, str]:
    return gk(capsys, "log", "verify", "--log", str(log), "--format", "json")


# -- 1. A chain at #0 passes as intact and makes every anchor saved from then on unreadable -------------------------

def test_a_record_numbered_zero_is_intact_and_poisons_the_anchor_it_writes(tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """Attack (a), severity medium. The gate numbers records from #1, but verify accepts a chain whose record is #0
    (column seq 0, body seq 0, linked to GENESIS, head #0): `log verify --format json` prints `ok: true` with a head
    `{"seq": 0}`. read_anchors refuses any head with seq < 1, so the anchor the security team keeps from that
    "intact" run is rejected whole (exit 2) at the next `--anchor` run: a log writer who adds one such row (no
    schema change; PostgreSQL's BIGINT takes negative numbers too) switches off anchoring for every chain, and the
    team's only ways on are running without the anchor or re-anchoring on the tampered log.
    Secure: either verify names record #0 (no chain starts below #1), or its `ok: true` output is a usable anchor."""
    log = tmp_path / "d.db"
    _fill(log)
    body = {"format": 1, "repository": "zz/decoy", "seq": 0, "time": "2026-01-01T00:00:00.000Z", "mode": "local",
            "event": "decision", "decision": "allow", "exit_code": 0, "refs": [], "pusher": None, "commits": [],
            "commits_total": 0, "blocking_rules": [], "verdict_digest": None, "detail": {}, "prev_hash": GENESIS}
    text = canonical(body).decode()
    digest = chain_hash(GENESIS, text.encode())
    db = sqlite3.connect(log)
    db.execute("INSERT INTO decisions (repository, seq, time, body, verdict, prev_hash, hash) "
               "VALUES ('zz/decoy', 0, 't', ?, NULL, ?, ?)", (text, GENESIS, digest))
    db.execute("INSERT INTO decision_heads (repository, seq, hash) VALUES ('zz/decoy', 0, ?)", (digest,))
    db.commit()
    db.close()
    code, out = _json_verify(capsys, log)
    if code == 1:
        assert "zz/decoy" in out  # the secure outcome: the #0 record is named
        return
    assert code == 0 and json.loads(out)["ok"] is True
    anchor = tmp_path / "anchor.json"
    anchor.write_text(out)
    code, out = gk(capsys, "log", "verify", "--log", str(log), "--anchor", str(anchor))
    assert code == 0, f"an `ok: true` verification wrote an anchor --anchor refuses:\n{out}"


# -- 2. A chain named "" does the same ----------------------------------------------------------------------------

def test_a_chain_with_an_empty_repository_name_poisons_the_anchor_it_writes(tmp_path: Path,
                                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Attack (a), severity low. A chain appended under the repository name "" (any writer of the log can; nothing
    in the store refuses it) is intact, and `--format json` prints it among the heads with `ok: true`; read_anchors
    refuses a head whose repository is "" and with it the whole anchor (exit 2), so the file a team keeps from an
    intact run cannot be used. Secure: verify names the nameless chain, or its `ok: true` output round-trips."""
    log = tmp_path / "d.db"
    _fill(log)
    _fill(log, "", 1)
    code, out = _json_verify(capsys, log)
    if code == 1:
        return  # the secure outcome: the nameless chain is a problem
    assert code == 0 and json.loads(out)["ok"] is True
    anchor = tmp_path / "anchor.json"
    anchor.write_text(out)
    code, out = gk(capsys, "log", "verify", "--log", str(log), "--anchor", str(anchor))
    assert code == 0, f"an `ok: true` verification wrote an anchor --anchor refuses:\n{out}"


# -- 3. An anchor saved with a byte-order mark ---------------------------------------------------------------------

def test_an_anchor_saved_with_a_utf8_byte_order_mark_is_read(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Round trip, severity low. `--format json` output kept by a tool that writes UTF-8 with a BOM (PowerShell 5's
    `Out-File -Encoding utf8`, Notepad) is refused: cli_log decodes with "utf-8" (not "utf-8-sig"), json.loads says
    "Unexpected UTF-8 BOM", exit 2. The anchor's content is exactly what verify printed. Secure: it is read."""
    log = tmp_path / "d.db"
    _fill(log)
    code, out = _json_verify(capsys, log)
    assert code == 0
    anchor = tmp_path / "anchor.json"
    anchor.write_text(out, encoding="utf-8-sig")
    code, out = gk(capsys, "log", "verify", "--log", str(log), "--anchor", str(anchor))
    assert code == 0 and "each of the 1 anchored record(s) in place" in out, out


# -- 4. The anchor error's fix names an option verify does not have ---------------------------------------------------

def test_the_anchor_fix_names_a_command_that_works(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Wrong message, severity low. Every anchor error (decisionlog._ANCHOR_FIX) says: "pass the file `gatekeeper
    log verify --format json --output FILE` wrote", but `log verify` has no --output (only `log export` has): the
    command it tells the team to run to make a good anchor fails with "No such option: --output" (exit 2).
    Secure: the command the fix names runs and writes the anchor."""
    log = tmp_path / "d.db"
    _fill(log)
    bad = tmp_path / "bad.json"
    bad.write_text("not json")
    code, out = gk(capsys, "log", "verify", "--log", str(log), "--anchor", str(bad))
    assert code == 2
    if "--output" not in out:
        return  # the fix no longer names the option
    written = tmp_path / "anchor.json"
    code, out = gk(capsys, "log", "verify", "--log", str(log), "--format", "json", "--output", str(written))
    assert code == 0 and written.is_file(), out


# -- 5. A damaged commit index row is "internal error", not BROKEN ------------------------------------------------

def test_an_index_row_whose_seq_is_text_is_a_broken_log_not_an_internal_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Attack (a), severity low. SQLite keeps any value in decision_commits.seq (not STRICT): a row with seq 'zz'
    makes sqlite_store.index's `int(seq)` raise ValueError, which nothing catches: `log verify` (with or without
    --anchor, text or json) exits 4 "internal error: ValueError ... report the traceback" instead of exit 1 naming
    the edited index. A monitor that treats 4 as "could not check, retry later" never sees the tampering, and the
    whole log goes unverified while the row stays. Secure: exit 1, the log BROKEN."""
    log = tmp_path / "d.db"
    _fill(log)
    db = sqlite3.connect(log)
    db.execute("INSERT INTO decision_commits (sha, repository, seq) VALUES (?, 'acme/app', 'zz')", ("c" * 40,))
    db.commit()
    db.close()
    code, out = gk(capsys, "log", "verify", "--log", str(log))
    assert code == 1 and "BROKEN" in out, out


# -- 6. The PostgreSQL password printed -----------------------------------------------------------------------------

@pytest.mark.parametrize("password", ["Zq7/vX+k9w==", "Zq7 vX k9w"])
def test_a_password_with_a_slash_or_space_is_not_printed_to_the_pusher(password: str) -> None:
    """Attack (b), severity medium. A generated password with '/' (base64) or a space pasted unencoded into
    `GATEKEEPER_DECISION_LOG=postgresql://gk:PASSWORD@db/log`: libpq cannot parse the URL, and the warning the
    hook prints (stderr of pre-receive reaches every pusher as `remote: …`) quotes the whole URL with the password:
    redact_url splits the netloc at the first '/' (no '@' before it, so nothing is hidden) and its pattern stops at
    the first space; url_secrets finds no secret for the '/' case at all. `log verify --log URL` prints the same.
    Secure: no part of the password in the warning."""
    url = f"postgresql://gk:{password}@127.0.0.1:1/gatekeeper"
    warned: list[str] = []
    record(Destination(url, False, LOG_ENV), _entry(), warned.append, timeout=2)
    assert warned, "the append should have failed"
    text = "\n".join(warned)
    assert "Zq7" not in text and "k9w" not in text, text


@pytest.mark.parametrize("target", [" postgresql://gk:S3cretPw@127.0.0.1:1/gatekeeper",
                                    "POSTGRESQL://gk:S3cretPw@127.0.0.1:1/gatekeeper"])
def test_log_verify_does_not_print_the_password_of_a_url_it_takes_for_a_path(
        target: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Attack (b), severity medium. `GATEKEEPER_DECISION_LOG` with a stray leading space (the hooks strip it and log
    to PostgreSQL fine: decisionlog.destination) or with the scheme in capitals: `log verify` reads the variable
    unstripped, is_postgres says "not a URL", and SqliteStore reports `decision log  postgresql:/gk:S3cretPw@…
    does not exist` — pathlib collapsed `//` to `/`, so redact_url's `postgres(ql)://` pattern no longer matches and
    the password is printed (CI logs of a scheduled verify). Secure: the password is not in the output."""
    monkeypatch.setenv(LOG_ENV, target)
    code, out = gk(capsys, "log", "verify", "--format", "json")
    assert code != 0
    assert "S3cretPw" not in out, out
