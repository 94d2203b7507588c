"""Red team red137: `gatekeeper audit` (text, JSON, HTML) and the decision log (`log verify|show|export`) against hostile
histories and hostile log contents (issue #14).

Each finding test asserts the CORRECT behaviour and fails on w/red137 (f19abe5) for the reason its docstring names.

Findings:

1. HIGH (forged evidence joined silently) — gatekeeper/audit/mode.py `run_audit_command` + decisionlog.destination:
   without `--log` / GATEKEEPER_DECISION_LOG the audit of a clone joins the decision log that the clone's OWN
   `.gatekeeper.yml` names (`log: {path: decisions.db}`), and a relative path is taken from the work tree — so the
   audited repository can commit both the policy and `decisions.db`, a log it wrote itself (the chain has no key:
   anyone computes valid hashes). The report then says an unreviewed phone commit was judged and admitted by the
   gate (`commits[].decisions: [{decision: allow, mode: action, ...}]`, `summary.decisions.commits_by_decision:
   {allow: 1}`, "Gate decisions per month" in the HTML), with no note at all; the HTML does not even say which log
   it read. The decision log is the one record the security team trusts for "which decision admitted this commit";
   here the suspect writes it. Expected: a log that lies inside the audited work tree (a file the history itself
   can supply) is not joined unless the auditor names it with `--log` — or at the very least every format says,
   in a note, that the log is the audited repository's own file named by its own policy.
2. MEDIUM (crash on log contents; `log export` cannot get the records out) — a record whose hashed body holds a
   JSON `\\ud800` escape (valid JSON; the hash is computed over the ASCII text, so `log verify` says "all intact")
   makes `log show`, `log export`, `audit --log … --format text` and `--format json` die with "internal error:
   UnicodeEncodeError: … surrogates not allowed" (exit 4): json.loads gives a lone surrogate, the printers write it
   raw (`ensure_ascii=False`, click.echo). One hostile record takes the whole log's export and the audit with it.
   Expected: a lone surrogate is written as `\\ud800` in JSON (or replaced) and shown as U+FFFD in text; exit 0.
3. MEDIUM (crash on log contents) — history.decisions_over_time: `decision in LOGGED_DECISIONS` (a frozenset) with
   a record whose hashed `decision` is a JSON array or object raises "TypeError: unhashable type: 'list'": `audit
   --log` exits 4 with "internal error" (every format), though `log verify` calls the log intact. docs/audit.md:
   "any other name in a record counts as `other`", "An unreadable log is a note in the report, never a failure of
   the audit". Expected: counted as `other`, exit 0.
4. MEDIUM (schema broken; a record outside every chain joined as an admission) — sqlite_store.admissions /
   logformat.admission_from_body accept any integer sequence number, so a record numbered #0 (or negative) whose
   body says so and whose hash matches is joined to the commit: `commits[].decisions[].seq` is 0, which the
   published schema forbids (`"minimum": 1`), and the refused commit now also shows `allow` in
   `commits_by_decision`. `log verify` names that record ("its sequence number is below #1 … written by hand");
   the audit believes it. Expected: the audit joins only records numbered from #1 (as decisions_over_time already
   does through Record.believable's `_seq`), and the JSON validates.
5. LOW (a link out of the repository followed; files written beside its target) — a repository policy's
   `log.path` is checked for a linked *directory* (red102/red103), but the audit (a reader) opens the file itself
   with `open_log(create=False)`, following a final-component symlink: `decisions.db -> /anywhere/real.db` committed
   in the clone makes the audit read a log outside the repository and makes SQLite create `real.db-wal` and
   `real.db-shm` beside the link's target (as the auditor). Writers refuse such a link (_create_private); readers
   should too. Expected: the link is refused (a note), nothing is created outside the repository.
6. LOW (a hostile PR number becomes a live link) — html.py `_commit_table` links the PR column of every row
   (`_pr_link`) whatever its trust: in "reviewed through the merge that brought them", a merge pushed with
   committer `GitHub <noreply@github.com>` and subject "Merge pull request #12 …" (heuristic: anyone can write it)
   links `https://github.com/acme/app/pull/12`, the real repository's PR #12 — whichever (reviewed, approved) PR the
   pusher chose. docs/audit.md: "a verified one names a PR on the forge that can be looked up (the HTML report links
   it)". A reader on a phone taps the link, sees an approved PR, and takes the merge for reviewed. Expected: only a
   verified PR number is a link; a heuristic one is plain text.

Tried and held (no test): HTML escaping of hostile subjects, author names/e-mails, Origin-Device-Id, agent ids, ref
names (invalid UTF-8, ESC/OSC 8 hyperlinks, C1 bytes, `<b>`, `"`) — all escaped, no ESC in any format; CSP present;
remote URLs (look-alike hosts, credentials) give no link; `log verify` text and JSON on hostile repository names and
bodies (sanitised / escaped); a repository policy's `log.path` with `..`, absolute paths, control characters, a
YAML alias bomb, deep nesting (config errors or notes, no traceback); replace refs and grafts ignored.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from gatekeeper.audit.decisionlog import GENESIS, Entry, canonical, chain_hash, open_log
from tests.repo_builder import RepoBuilder

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "gatekeeper" / "schema" / "audit.schema.json").read_text())
PHONE = ("Pat Phone", "pat@example.com")


def gk(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI in a child process, stdout/stderr as a terminal's UTF-8 (strict, as Python's default)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LC_ALL": "C.UTF-8", "CI": "1"}
    env.pop("PYTHONIOENCODING", None)
    env.pop("GATEKEEPER_DECISION_LOG", None)
    return subprocess.run([sys.executable, "-m", "gatekeeper", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, encoding="utf-8", errors="replace", check=False, timeout=300)


def phone_repo(repo: RepoBuilder) -> str:
    repo.commit("Initial commit\n", {"README.md": "hi\n"})
    return repo.commit("tweak from my phone\n\nOrigin-Device: mobile\n", {"a.txt": "x\n"}, author=PHONE,
                       committer=PHONE)


def forged_log(path: Path, repository: str, sha: str, edits: dict[str, str] | None = None,
               decision: str = "allow") -> None:
    """A log with one record judging `sha`, its body then rewritten with `edits` (field -> raw JSON text, placed in
    the body as written) and re-hashed, the head moved: what anyone who can write the log can do."""
    store = open_log(str(path))
    store.append(Entry(repository=repository, mode="action", event="decision", decision=decision, exit_code=0,
                       commits=(sha,), refs=(("refs/heads/main", "0" * 40, sha, "update"),)))
    store.close()
    if not edits:
        return
    con = sqlite3.connect(str(path))
    body = json.loads(con.execute("SELECT body FROM decisions WHERE seq = 1").fetchone()[0])
    for i, field in enumerate(edits):
        body[field] = f"@@{i}@@"
    text = json.dumps(body, sort_keys=True, separators=(",", ":"))
    for i, raw in enumerate(edits.values()):
        text = text.replace(f'"@@{i}@@"', raw)
    digest = chain_hash(GENESIS, text.encode("utf-8"))
    con.execute("UPDATE decisions SET body = ?, hash = ? WHERE seq = 1", (text, digest))
    con.execute("UPDATE decision_heads SET hash = ?", (digest,))
    con.commit()
    con.close()


def schema_errors(data: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]


# -- 1 -----------------------------------------------------------------------------------------------------------

def test_a_decision_log_committed_in_the_audited_repository_is_not_silently_trusted(tmp_path: Path) -> None:
    """Finding 1 (HIGH). Attack: the hostile repository commits `.gatekeeper.yml` with `log: {path: decisions.db}`
    and a `decisions.db` it wrote itself, holding a valid-looking Action `allow` record for its unreviewed phone
    commit under `github:acme/app`. The security team clones it and runs `gatekeeper audit` (no --log).
    Now: the forged record is joined (`commits[].decisions`, `commits_by_decision: {allow: 1}`) with no note, and the
    HTML does not say which log it read. Expected: not joined without --log, or every report says the log is the
    audited repository's own file, named by its own policy."""
    src = RepoBuilder.init(tmp_path / "src")
    phone = phone_repo(src)
    forged_log(src.path / "decisions.db", "github:acme/app", phone)
    src.commit("policy\n", {".gatekeeper.yml": "version: 1\nlog: {path: decisions.db}\n"})
    src.git("add", "decisions.db")
    src.commit("add the gate's log\n")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(src.path), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "remote", "set-url", "origin", "https://github.com/acme/app.git"],
                   check=True)

    proc = gk(clone, "audit", "--format", "json", "--no-progress")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    joined = [d for c in data["commits"] for d in c["decisions"]]
    notes = " ".join(data["summary"]["notes"])
    warned = bool(re.search(r"(work tree|its own|repository's own|\.gatekeeper\.yml|tracked)", notes)) \
        and "log" in notes
    assert not joined or warned, (
        f"the audited repository's own decisions.db was joined as the gate's record, no note: {joined}")
    html = gk(clone, "audit", "--format", "html", "--no-progress")
    assert html.returncode == 0, html.stderr
    if joined:
        assert "decisions.db" in html.stdout, "the HTML report joins a log without saying which one"


# -- 2 -----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["log show", "log export", "audit text", "audit json"])
def test_a_lone_surrogate_in_a_record_does_not_crash_the_readers(tmp_path: Path, repo: RepoBuilder,
                                                                command: str) -> None:
    """Finding 2 (MEDIUM). Attack: a log writer re-hashes a record whose `decision` is the JSON text
    `"allow\\ud800"` (valid JSON; `log verify` says intact). Now: `log show`, `log export`, `audit --format text` and
    `--format json` die with "internal error: UnicodeEncodeError … surrogates not allowed" (exit 4) — one record
    stops the export of the whole log. Expected: exit 0; JSON writes the surrogate as an escape (valid JSON), text
    shows a replacement character."""
    sha = phone_repo(repo)
    log = tmp_path / "log.db"
    forged_log(log, str(repo.path.resolve()), sha, {"decision": '"allow\\ud800"', "pusher": '"p\\udc41"'})
    assert gk(repo.path, "log", "verify", "--log", str(log)).returncode == 0  # the chain itself is intact
    kind, what = command.split()
    if kind == "log":
        proc = gk(repo.path, "log", what, "--log", str(log))
    else:
        proc = gk(repo.path, "audit", "--log", str(log), "--format", what, "--no-progress")
    assert "internal error" not in proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stderr
    if what in ("export", "json"):
        json.loads(proc.stdout)


# -- 3 -----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["text", "json", "html"])
def test_a_record_whose_decision_is_not_a_string_is_counted_as_other(tmp_path: Path, repo: RepoBuilder,
                                                                     fmt: str) -> None:
    """Finding 3 (MEDIUM). Attack: a record re-hashed with `"decision": ["allow"]` (`log verify`: intact). Now:
    `audit --log` exits 4, "internal error: TypeError: unhashable type: 'list'" (decisions_over_time tests
    membership in a frozenset). Expected: the record counts as `other` (docs/audit.md), the report is written."""
    sha = phone_repo(repo)
    log = tmp_path / "log.db"
    forged_log(log, str(repo.path.resolve()), sha, {"decision": '["allow"]'})
    assert gk(repo.path, "log", "verify", "--log", str(log)).returncode == 0
    proc = gk(repo.path, "audit", "--log", str(log), "--format", fmt, "--no-progress")
    assert "internal error" not in proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stderr


# -- 4 -----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("seq", [0, -3])
def test_a_record_numbered_below_one_is_not_joined_and_the_json_keeps_its_schema(tmp_path: Path, repo: RepoBuilder,
                                                                                seq: int) -> None:
    """Finding 4 (MEDIUM). Attack: beside the gate's real `block` record #1 for a commit, a log writer inserts a
    record #0 (or #-3) deciding `allow` for it, self-consistent (body says #0, hash matches) with an index row.
    `log verify` names it ("below #1 … written by hand"). Now: the audit joins it — `commits[].decisions[].seq` is
    0, which audit.schema.json forbids (minimum 1), and `commits_by_decision` counts an `allow` for the refused
    commit. Expected: not joined (as decisions_over_time already refuses it); the JSON validates."""
    sha = phone_repo(repo)
    name = str(repo.path.resolve())
    log = tmp_path / "log.db"
    forged_log(log, name, sha, decision="block")
    con = sqlite3.connect(str(log))
    body = json.loads(con.execute("SELECT body FROM decisions WHERE seq = 1").fetchone()[0])
    body.update(seq=seq, decision="allow", prev_hash=GENESIS)
    text = canonical(body).decode("utf-8")
    con.execute("INSERT INTO decisions (repository, seq, time, body, verdict, prev_hash, hash) VALUES (?,?,?,?,?,?,?)",
                (name, seq, body["time"], text, None, GENESIS, chain_hash(GENESIS, text.encode("utf-8"))))
    con.execute("INSERT INTO decision_commits (sha, repository, seq) VALUES (?, ?, ?)", (sha, name, seq))
    con.commit()
    con.close()
    assert gk(repo.path, "log", "verify", "--log", str(log)).returncode == 1  # verify names it

    proc = gk(repo.path, "audit", "--log", str(log), "--format", "json", "--no-progress")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert schema_errors(data) == []
    commit = next(c for c in data["commits"] if c["sha"] == sha)
    assert [d["seq"] for d in commit["decisions"]] == [1]
    assert data["summary"]["decisions"]["commits_by_decision"] == {"block": 1}


# -- 5 -----------------------------------------------------------------------------------------------------------

def test_a_repository_policys_log_that_is_a_symlink_out_of_the_repository_is_not_followed(tmp_path: Path) -> None:
    """Finding 5 (LOW). Attack: the clone's policy says `log: {path: decisions.db}` and `decisions.db` is a committed
    symlink to a decision log outside the repository. Now: the audit reads that log (its `allow` record is joined)
    and SQLite creates `real.db-wal` / `real.db-shm` beside the target, outside the repository. The directory walk
    (red102/red103) holds a linked directory; the file itself is followed. Expected: the link is refused as writers
    refuse it (a note), nothing is written outside the repository."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    repo = RepoBuilder.init(tmp_path / "repo")
    sha = phone_repo(repo)
    forged_log(outside / "real.db", str(repo.path.resolve()), sha)
    before = sorted(p.name for p in outside.iterdir())
    (repo.path / "decisions.db").symlink_to(outside / "real.db")
    repo.commit("policy\n", {".gatekeeper.yml": "version: 1\nlog: {path: decisions.db}\n"})
    repo.git("add", "decisions.db")
    repo.commit("log link\n")

    proc = gk(repo.path, "audit", "--format", "json", "--no-progress")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert sorted(p.name for p in outside.iterdir()) == before, "the audit created files beside the link's target"
    assert all(c["decisions"] == [] for c in data["commits"]), "a log outside the repository was read through a link"


# -- 6 -----------------------------------------------------------------------------------------------------------

def test_a_heuristic_pr_number_is_not_a_live_link_in_the_html(repo: RepoBuilder) -> None:
    """Finding 6 (LOW). Attack: a phone commit on a branch is merged with a look-alike `Merge pull request #12 from
    mallory/feat`, committer `GitHub <noreply@github.com>`, unsigned, pushed straight to main (trust: heuristic).
    Now: the "reviewed through the merge that brought them" table links `https://github.com/acme/app/pull/12` —
    the real repository's PR #12, whichever reviewed PR the pusher named. Expected: only a verified PR number is a
    link; a heuristic one is shown as text."""
    repo.commit("Initial commit\n", {"README.md": "hi\n"})
    repo.branch("feat")
    repo.commit("from my phone\n\nOrigin-Device: mobile\n", {"a.txt": "x\n"}, author=PHONE, committer=PHONE)
    repo.checkout("main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge pull request #12 from mallory/feat\n\nlooks good", "feat",
             env={"GIT_COMMITTER_NAME": "GitHub", "GIT_COMMITTER_EMAIL": "noreply@github.com"})
    repo.git("remote", "add", "origin", "https://github.com/acme/app.git")
    data = json.loads(gk(repo.path, "audit", "--format", "json", "--no-progress").stdout)
    items = data["summary"]["reviewed_via_merge_mobile_ai_on_protected"]["items"]
    assert [(i["pr"], i["trust"]) for i in items] == [(12, "heuristic")]
    proc = gk(repo.path, "audit", "--format", "html", "--no-progress")
    assert proc.returncode == 0, proc.stderr
    assert "/pull/12" not in proc.stdout, "a PR number anyone can write is a live link to the real repository's PR"
