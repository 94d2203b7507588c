"""Red team red116: issue #14 — `gatekeeper audit` on real histories, its JSON against the published schema, the
HTML report with hostile commit data, and the decision log's hash chain under tampering, concurrency and odd files.

Each finding test asserts the CORRECT behaviour and fails on w/red116 (9317ae6) for the reason its docstring names.

Findings:

1. MEDIUM (false positive: a false tamper alarm) — gatekeeper/audit/decisionlog.py `verify` (both stores:
   sqlite_store.py, postgres_store.py): `log verify` reads the heads, the commit index and each chain's records in
   separate statements / transactions, never one snapshot. A hook that appends while it runs makes an intact log
   "BROKEN" (exit 1): "the last record does not match the chain's head" (the head read before the record) or "N
   commit(s) this record lists have no row in the commit index (deleted from the index)" (the index read before the
   record). Measured with one writer appending as fast as it can: 49 of 74 verifications of an intact log (66 %)
   reported tampering (the test: 15 of 40 on SQLite, 33 of 40 on PostgreSQL 16); the log verified clean once the
   writer stopped. A verification cron on a busy server pages
   the security team for edits nobody made, and teaches them to ignore it. Fix: read heads, index and records
   inside one read transaction (SQLite `BEGIN` deferred: one WAL snapshot; PostgreSQL `REPEATABLE READ`).
2. MEDIUM (wrong per-commit answer in the JSON) — gatekeeper/audit/history.py `AuditReview.via` is never set: each
   commit's record is written as the walk reaches it, before `_resolve_pending` finds that it came in through a
   reviewed merge, so `commits[].review` says `evidence: none, via: null` for every commit the summary counts as
   "<kind> (via merge)" (the schema has `commits[].review.via`; docs/audit.md lists `reviewed-by-verified`, "only
   ever (via merge)", as a per-commit `review.evidence` value — it can never appear). Real histories: the records
   of 3 of 8,142 runc commits, 6 of 763 claude-code-action, 152 of 4,032 crush say "no review" where the summary
   says reviewed (every "(via merge)" commit). A consumer answering "was this commit reviewed" from `commits[]`
   (the reason the JSON lists them) gets the wrong answer. (Fixed as a documented join: each record keeps the
   commit's own evidence, `via` always null; `summary.reviewed_via_merge_mobile_ai_on_protected` lists every
   commit counted as reviewed via merge with the merge, its review, trust and PR.)
3. LOW (availability for the people who check the log) — sqlite_store.py opens the log read-write and sets WAL on
   every open: a verifier with read access only (the documented set-up: a log in a directory only the hook's user
   writes, an auditor's group that may read it; a backup on read-only media) gets "attempt to write a readonly
   database" from `log verify`, `log show`, `log export` and `audit --log` (a note: not joined), and the fix it
   prints is "make the file and its directory writable by the user the hook runs as" — give the auditor write
   access to the tamper-evident log. (SQLite cannot read a WAL database in a directory it cannot write without
   `-shm`; `?mode=ro` then `immutable=1` would do.) Test runs as an unprivileged user; skipped where it cannot.
4. LOW (a reader writes; a wiped log reads as intact) — `open_log(create=False)` (verify, show, export, audit) on an
   existing empty file creates the decision-log schema in it: `log verify` on a log truncated to 0 bytes turns it
   into a fresh empty log and prints "0 record(s) in 0 chain(s), all intact" (exit 0). Readers must not write, and
   an empty file is no decision log (test_missing_log_is_not_created_by_readers holds this for a missing file only).
5. LOW (misleading label) — gatekeeper/audit/history.py counts `origin.device_id` in `top_devices` whatever its
   trust, and html.py titles that chart "Registered devices by commits": a self-declared `Origin-Device-Id:
   pixel-ceo` trailer on an unsigned commit with no device registry at all is charted as a registered device.

Measured on real histories (bare mirrors, built-in policy, `audit --format json`): runc 8,142 commits (1.1 s,
49 MB peak), claude-code-action 763, crush 4,032 — every output validates against audit.schema.json; commit set,
count, merges, author name/e-mail, commit time and DCO (git interpret-trailers --parse, Signed-off-by with the
author's e-mail) agree with git for every commit; every summary count (classes, signatures on all/protected
commits, AI, agents, DCO, months) equals the per-commit records, except finding 2. Signed/unsigned agrees with
git's %G? except SSH signatures, which git does not check without gpg.ssh.allowedSignersFile (21 and 431). Two
crush commits signed with a FIDO key (sk-ssh-ed25519) are `error`: documented as unsupported (test_provenance).
`subject` is the first line where git's %s joins the first paragraph (12 crush commits): a choice, not a bug.
`--since` (three dates, two histories) equals `git rev-list --since` and the commits with committer time >= the
cut.

Tried and held (no test): the HTML with hostile author names, e-mails, subjects (<script>, ESC, U+202E, invalid
UTF-8, lone surrogates), agent and device ids, ref names (`"><script>x`), PR numbers, a remote URL with a token in
its user part (dropped; links only to https://github.com/acme/app/commit/<sha>), look-alike hosts
(`github.com@evil`, `.`/`..`/`-` segments): every value escaped, CSP `default-src 'none'`, no script, no link from
commit text; JSON valid against the schema. Ranges: A..A and HEAD..HEAD (empty report, exit 0), unrelated histories
both ways, `A...B` (exit 2), option-shaped revisions (`--all`, `-n1`, `--output=…`: refused), a tag to a tree or a
blob (exit 4, "unknown revision"), `--all` with refs to trees/blobs and hostile ref names (skipped, counted right).
Decision log: an edited, deleted, reordered, relabelled record; a deleted last record with the head left (named);
cut with the head moved back / re-hashed chain (anchor only, as documented); a foreign or corrupt SQLite file and a
directory (exit 4, untouched); a symlinked log (refused for writing, read through for verify).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from gatekeeper.audit.decisionlog import Entry, open_log, verify
from gatekeeper.cli import run
from tests.repo_builder import RepoBuilder

ROOT = Path(__file__).resolve().parents[1]
WEB_FLOW = {"GIT_COMMITTER_NAME": "GitHub", "GIT_COMMITTER_EMAIL": "noreply@github.com"}


def entry(repo: str, i: int) -> Entry:
    return Entry(repository=repo, mode="pre-receive", event="decision", decision="allow", exit_code=0,
                 refs=(("refs/heads/main", "a" * 40, "b" * 40, "update"),), pusher="jdoe",
                 commits=(f"{os.getpid():08x}{i:032x}",), verdict_json=json.dumps({"i": i}))


def _appender(target: str, repo: str, stop: multiprocessing.synchronize.Event) -> None:
    store = open_log(target)
    i = 0
    try:
        while not stop.is_set():
            store.append(entry(repo, i))
            i += 1
    finally:
        store.close()


def _false_alarms(target: str, seconds: float = 4.0, runs: int = 40) -> tuple[int, int, list[str]]:
    """Verify an intact log over and over while another process appends to it (as a hook would)."""
    ctx = multiprocessing.get_context("spawn")
    stop = ctx.Event()
    writer = ctx.Process(target=_appender, args=(target, "acme/app", stop))
    writer.start()
    alarms: list[str] = []
    done = bad = 0
    try:
        time.sleep(0.5)
        deadline = time.monotonic() + seconds
        while done < runs and time.monotonic() < deadline:
            store = open_log(target, create=False)
            try:
                result = verify(store)
            finally:
                store.close()
            done += 1
            if not result.ok:
                bad += 1
                alarms.extend(str(p) for p in result.problems[:2])
    finally:
        stop.set()
        writer.join(30)
    store = open_log(target, create=False)
    try:
        assert verify(store).ok, "the log itself is intact once the writer stops"
    finally:
        store.close()
    return bad, done, alarms


# -- 1. log verify on a live log ----------------------------------------------------------------------------------

def test_verify_of_a_live_sqlite_log_raises_no_false_tamper_alarm(tmp_path: Path) -> None:
    """Finding 1 (SQLite): heads, index and records are read in separate statements, so a record appended between
    them makes the intact log "BROKEN" (66 % of verifications while a writer appends)."""
    log = tmp_path / "decisions.db"
    store = open_log(str(log))
    for i in range(200):
        store.append(entry("acme/app", 10_000 + i))
    store.close()
    bad, done, alarms = _false_alarms(str(log))
    assert done >= 5
    assert bad == 0, f"{bad} of {done} verifications of an intact log reported tampering, e.g. {alarms[:3]}"


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    try:
        import pgserver
    except ImportError as exc:
        pytest.skip(f"PostgreSQL tests need pgserver (pip install -e '.[test]'): {exc}")
    data = tempfile.mkdtemp(prefix="gkpg116-")
    try:
        server = pgserver.get_server(data, cleanup_mode="stop")
    except Exception as exc:  # any failure to start is a reason to skip, stated
        pytest.skip(f"could not start PostgreSQL with pgserver in {data}: {type(exc).__name__}: {exc}")
    server.psql("CREATE DATABASE gatekeeper_red116;")
    try:
        yield server.get_uri("gatekeeper_red116")
    finally:
        server.cleanup()
        shutil.rmtree(data, ignore_errors=True)


def test_verify_of_a_live_postgres_log_raises_no_false_tamper_alarm(pg_url: str) -> None:
    """Finding 1 (PostgreSQL): each read is its own transaction (READ COMMITTED), so the same race gives false
    alarms on the store meant for busy multi-node servers."""
    store = open_log(pg_url)
    for i in range(50):
        store.append(entry("acme/app", 10_000 + i))
    store.close()
    bad, done, alarms = _false_alarms(pg_url, seconds=6.0)
    assert done >= 5
    assert bad == 0, f"{bad} of {done} verifications of an intact log reported tampering, e.g. {alarms[:3]}"


# -- 2. per-commit review vs the summary -------------------------------------------------------------------------

def test_commit_record_says_reviewed_via_merge_as_the_summary_does(repo: RepoBuilder,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """Finding 2: the phone commit came in through PR #7's merge; the summary counts it "forge-pr-merge (via
    merge)" and lists it with `via` = the merge, but its own record in `commits[]` says no review, via null."""
    repo.commit("policy", {".gatekeeper.yml": "version: 1\nprotected_refs: [refs/heads/main]\n"})
    repo.branch("feature")
    phone = repo.commit("phone work\n\nOrigin-Device: mobile\n", {"a.txt": "1\n"})
    repo.checkout("main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge pull request #7 from jo/feature", "feature", env=WEB_FLOW)
    merge = repo.head()

    assert run(["audit", "--repo", str(repo.path), "--format", "json", "--no-progress"]) == 0
    data = json.loads(capsys.readouterr().out)
    summary = data["summary"]
    assert summary["reviews"]["forge-pr-merge (via merge)"]["count"] == 1
    assert summary["unreviewed_mobile_ai_on_protected"]["total"] == 0
    (listed,) = summary["unverified_review_mobile_ai_on_protected"]["items"]
    assert (listed["sha"], listed["via"]) == (phone, merge)

    # The fix (a design choice, the JSON streams each commit as the walk reaches it, before the one walk of the
    # protected tips that says how it came in): the record keeps the commit's own evidence, and a summary list —
    # every commit counted as reviewed via merge, verified or not — is the join.
    record = {c["sha"]: c for c in data["commits"]}[phone]["review"]
    assert (record["evidence"], record["via"]) == ("none", None)
    (joined,) = summary["reviewed_via_merge_mobile_ai_on_protected"]["items"]
    assert (joined["sha"], joined["via"], joined["review"], joined["pr"]) == (phone, merge, "forge-pr-merge", 7), (
        "the summary does not name the merge a commit counted as reviewed came in by")


# -- 3. a log its verifier may only read ----------------------------------------------------------------------------

def _unprivileged_python() -> list[str] | None:
    """A python the `nobody` user can run with this checkout and its dependencies importable, or None."""
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        return None
    site = next(ROOT.glob(".venv/lib/python3*/site-packages"), None)
    system = Path("/usr/bin/python3")
    if site is None or not system.exists():
        return None
    version = subprocess.run([str(system), "-c", "import sys; print(f'python{sys.version_info[0]}.{sys.version_info[1]}')"],
                             capture_output=True, text=True, check=False).stdout.strip()
    if version != site.parent.name:
        return None
    return ["runuser", "-u", "nobody", "--", "env", f"PYTHONPATH={ROOT}:{site}", str(system), "-m", "gatekeeper"]


def test_a_reader_may_verify_a_log_it_cannot_write(tmp_path: Path) -> None:
    """Finding 3: a log in a directory the verifier may read but not write (an auditor's group, a backup on
    read-only media) — `log verify` fails with "attempt to write a readonly database" and tells the auditor to
    make the log writable."""
    command = _unprivileged_python()
    if command is None:
        pytest.skip("needs root, runuser and a /usr/bin/python3 of the venv's version to run as `nobody`")
    base = Path(tempfile.mkdtemp(prefix="gk116-"))  # (tmp_path's parents are root's alone)
    try:
        base.chmod(0o755)
        logs = base / "logs"
        logs.mkdir()
        log = logs / "decisions.db"
        store = open_log(str(log))
        for i in range(3):
            store.append(entry("acme/app", i))
        store.close()
        log.chmod(0o644)
        logs.chmod(0o755)  # readable by all, writable by its owner (root) only
        probe = subprocess.run(["runuser", "-u", "nobody", "--", "test", "-r", str(log)], check=False)
        if probe.returncode != 0:
            pytest.skip("nobody cannot read the temporary directory here")
        proc = subprocess.run([*command, "log", "verify", "--log", str(log)], capture_output=True, text=True,
                              cwd=str(base), check=False, timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert "3 record(s) in 1 chain(s), all intact" in proc.stdout
        assert sorted(p.name for p in logs.iterdir()) == ["decisions.db"]
    finally:
        shutil.rmtree(base, ignore_errors=True)


# -- 4. a reader that writes -----------------------------------------------------------------------------------------

def test_verify_does_not_turn_an_empty_file_into_an_intact_log(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """Finding 4: a decision log truncated to 0 bytes — `log verify` writes a fresh schema into it and reports
    "0 record(s) in 0 chain(s), all intact" (exit 0)."""
    log = tmp_path / "decisions.db"
    store = open_log(str(log))
    for i in range(3):
        store.append(entry("acme/app", i))
    store.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{log}{suffix}").unlink(missing_ok=True)
    log.write_bytes(b"")  # someone wiped it

    code = run(["log", "verify", "--log", str(log)])
    out, err = capsys.readouterr()
    assert log.stat().st_size == 0, "a reader wrote into the log"
    assert code != 0 and "all intact" not in out, out + err


# -- 5. the devices chart --------------------------------------------------------------------------------------------

def test_self_declared_device_id_is_not_charted_as_a_registered_device(repo: RepoBuilder,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Finding 5: no device registry at all, one unsigned commit whose trailer says `Origin-Device-Id: pixel-ceo` —
    the HTML charts it under "Registered devices by commits"."""
    repo.commit("phone work\n\nOrigin-Device: mobile\nOrigin-Device-Id: pixel-ceo\n", {"a.txt": "1\n"})
    assert run(["audit", "--repo", str(repo.path), "--format", "html", "--no-progress"]) == 0
    page = capsys.readouterr().out
    start = page.index("<h2>Top devices</h2>")
    section = page[start:page.index("<h2>", start + 5)]
    assert not ("Registered devices" in section and "pixel-ceo" in section), (
        "a device id the commit declared itself, with no registry, is charted as a registered device")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
