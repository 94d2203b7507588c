"""Red team (red39): today's changes — pre-receive stdin read as bytes (non-UTF-8 names refused), `\\xNN` ref
names read back from git, the upper().lower() fold, bounded push-time origin records, the `audit --since` window
and its notes, the printable-ASCII shortcut of safe(), and the audit's one refs snapshot. Real repositories, and
for the hook real `git push` into a bare repository with the hook installed.

Failing tests are findings (see each docstring: what a hostile pusher gains, severity); the others are controls
pinning what held."""

from __future__ import annotations

import fcntl
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.origin.recorded import MAX_RECORD_BYTES
from tests.audit_helpers import AI, DANA, OLD, RECENT, SINCE, audit, seeded, subjects, unreviewed
from tests.hook_helpers import spush
from tests.repo_builder import RepoBuilder


def dated(when: int) -> dict[str, str]:
    return {"GIT_AUTHOR_DATE": f"{when} +0000", "GIT_COMMITTER_DATE": f"{when} +0000"}


def rests_on_note(data: dict[str, Any]) -> list[str]:
    return [n for n in data["summary"]["notes"] if n.startswith("the window rests on")]


# -- findings: audit --since ------------------------------------------------------------------------------------

@pytest.mark.parametrize("base_when", [OLD + 30, RECENT - 600], ids=["base-before-date", "base-after-date"])
def test_since_says_an_old_branch_merged_into_a_rev_range_window(repo: RepoBuilder, base_when: int,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """FINDING (low/medium): with `--rev-range BASE..main --since DATE`, one old-dated branch merged inside the
    window is left out of the report with no note (complete=true).

    red38 resolved "what a merge brought in" by *saying* it: the report notes when the window rests on more than
    "the one older commit where history crosses the date" (rests_on > 1). since_window counts as resting points
    only parents that are neither in the window nor on the excluded side (`p not in boundary`). When the range's
    base is where the line crosses the date — or the base itself is after the date, so the line never crosses in
    the range — that "one" is never counted: the first old-dated branch merged in is the only resting point,
    rests_on == 1, and the note that is supposed to reveal exactly this case is not given. `audit --rev-range
    v1.2..main --since '1 month ago'` (what reached main since the last release, this month) is the natural
    scheduled query. Attacker: a backdated agent commit on a branch forked from BASE (or anything under it),
    merged onto main with a fresh merge: not in commits, not among unreviewed AI on protected, no note. The
    count should take the crossing from the graph (boundary parents of window commits count as the crossing,
    and a range with none has no "one" to forgive), not assume it."""
    root = repo.commit("root", when=OLD)
    repo.commit("base", when=base_when)
    repo.git("tag", "v1")
    repo.branch("side", root)  # forked under the base (an old topic branch), merged this month
    repo.commit("side agent" + AI, when=OLD + 60)
    repo.checkout("main")
    repo.commit("new one", when=RECENT)
    repo.git("merge", "-q", "--no-ff", "-m", "merge side", "side", env=dated(RECENT + 120))
    full = audit(capsys, repo.path, "--rev-range", "v1..main")
    assert "side agent" in unreviewed(full)  # what is at stake: unreviewed AI work that reached main this month
    data = audit(capsys, repo.path, "--rev-range", "v1..main", "--since", SINCE)
    assert "side agent" not in subjects(data)  # outside the window as its date says (red38's resolution) ...
    # ... and the report must say the window rests on a branch started before the date.
    assert rests_on_note(data) or data["summary"]["complete"] is False, data["summary"]["notes"]


def test_control_since_says_an_old_branch_merged_into_the_whole_history(repo: RepoBuilder,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """Held: the same shape over the whole history (the crossing is in the range) gives the note."""
    repo.commit("base", when=OLD + 30)
    repo.branch("side")
    repo.commit("side agent" + AI, when=OLD + 60)
    repo.checkout("main")
    repo.commit("new one", when=RECENT)
    repo.git("merge", "-q", "--no-ff", "-m", "merge side", "side", env=dated(RECENT + 120))
    data = audit(capsys, repo.path, "--since", SINCE)
    assert "side agent" not in subjects(data)
    assert rests_on_note(data), data["summary"]["notes"]


# -- findings: push-time origin records -------------------------------------------------------------------------


def _claims() -> list[str]:
    """15 distinct push-time claims (3 per device class, the per-claim cap), each as long as the clips allow."""
    pad = "\u3000" * 27  # stripped from the key, kept (escaped, 6 bytes each) in the detail
    smile = "\U0001F600"
    options: list[str] = []
    for cls in ("desktop", "ci", "web", "tablet"):
        for k in range(3):
            options += ["-o", f"{pad}origin-device={cls} " + smile * (52 - k)]
    for k in range(3):  # not a device class: recorded as a mobile claim
        options += ["-o", f"{pad}origin-device=" + smile * (60 - k)]
    options += ["-o", "origin-client=" + smile * 100, "-o", "origin-device-id=" + smile * 100]
    return options


def test_concurrent_pushes_grow_a_push_origin_record_past_what_is_read(tmp_path: Path) -> None:
    """FINDING (low: a race; the impact is red38's medium denial of service through the hook): concurrent pushes
    of one commit wrote its push-time origin record past MAX_RECORD_BYTES, and every later push of that commit was
    refused.

    PushOriginStore.record (ce1c1ee) bounded a record by what it read first and appended afterwards, with no lock:
    git runs one pre-receive per push and does not serialise pushes to different refs, so N pushes of the same new
    commit (each to its own topic branch) each read the record empty and each appended their full set (15 claims
    of ~3.4 KB with emoji client/device id); eight made ~400 KB, past the 320 KiB the reader reads, and the record
    read as "damaged" refused every push that brought the commit until an administrator deleted the file. (The red
    team forced the interleaving with a sitecustomize holding each hook between its read and its append.)

    Fixed by reading, checking and appending under one exclusive flock of the record. Shown without forcing any
    timing: while this test holds that lock, a push with push-time claims waits for it (its hook is a waiter in
    /proc/locks) and has written nothing; released, it records its claims and they are read whole."""
    server, work = seeded(tmp_path)
    server.git("config", "receive.advertisePushOptions", "true")
    commit = work.commit("feature\n", {"f.txt": "f\n"}, author=DANA, committer=DANA)
    record = server.path / "gatekeeper" / "push-origin" / commit[:2] / commit[2:]
    record.parent.mkdir(parents=True)
    record.touch()
    inode = record.stat().st_ino
    env = dict(os.environ)
    env.update(work.env_overrides)
    env.update(GATEKEEPER_AUDIT_LOG=str(server.audit_log))
    with open(record, "rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        push = subprocess.Popen(["git", "push", "--porcelain", *_claims(), "origin", "HEAD:refs/heads/topic"],
                                cwd=work.path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        waiting = False
        while push.poll() is None and time.monotonic() < deadline and not waiting:
            # A blocked flock request shows in /proc/locks as "N: -> FLOCK ADVISORY WRITE pid maj:min:inode ...".
            waiting = any("->" in line and "FLOCK" in line and line.split()[6].endswith(f":{inode}")
                          for line in Path("/proc/locks").read_text().splitlines() if len(line.split()) > 6)
            time.sleep(0.05)
        assert waiting, "the push recorded its claims without taking the record's lock"
        assert record.stat().st_size == 0
    out, err = push.communicate(timeout=240)
    assert push.returncode == 0, (out + err).decode("utf-8", "replace")
    assert 0 < record.stat().st_size <= MAX_RECORD_BYTES
    # The record is read whole: main's push is judged on it (its mobile claims need review), not "damaged".
    result = spush(server, work, "origin", "HEAD:refs/heads/main")
    assert "damaged" not in result.output and f"review/missing {commit[:12]}" in result.output, result.output


# -- controls ---------------------------------------------------------------------------------------------------

def _update_ref(path: Path, name: bytes, target: str) -> None:
    subprocess.run([b"git", b"update-ref", name, target.encode()], cwd=path, check=True)


def test_control_refs_not_utf8_made_on_the_server_refuse_no_one_elses_push(tmp_path: Path) -> None:
    """Held: branches, tags and a symbolic ref whose names (or target) are not UTF-8, made on the server by an
    administrator (or before the hook), are read as `\\xNN` and fed back to nothing that refuses: a plain push to
    main, the creation of a protected release branch (whose standing-ref scan reads every ref name and asks
    show-ref about it) and a push through the symbolic ref are judged as usual."""
    server, work = seeded(tmp_path)
    main = server.tip()
    assert main is not None
    for name in (b"refs/heads/release/\xfe", b"refs/heads/release/\xff", b"refs/tags/\xfe/release/3.0",
                 b"refs/heads/ma\xffin"):
        _update_ref(server.path, name, main)
    subprocess.run([b"git", b"symbolic-ref", b"refs/heads/trunk", b"refs/heads/release/\xfe"], cwd=server.path,
                   check=True)
    work.commit("feature\n", {"f.txt": "f\n"}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "HEAD:refs/heads/main")
    assert result.code == 0, result.output
    result = spush(server, work, "origin", "HEAD:refs/heads/release/2.0")
    assert result.code == 0, result.output
    work.commit("mobile edit\n\nOrigin-Device: mobile\n", {"g.txt": "g\n"}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "HEAD:refs/heads/trunk")
    # judged as the protected target (release/*) it moves: a mobile commit without review is refused
    assert result.code != 0, result.output
    assert "symbolic ref" in result.output and "review" in result.output, result.output


def test_control_the_audit_keeps_protected_branches_not_utf8_apart(repo: RepoBuilder,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Held: `release/\\xfe` and `release/\\xff` are two protected branches in the audit, and an AI commit on the
    second is reported as unreviewed on a protected branch."""
    repo.commit("base")
    base = repo.head()
    repo.commit("agent on xff" + AI)
    _update_ref(repo.path, b"refs/heads/release/\xff", repo.head())
    _update_ref(repo.path, b"refs/heads/release/\xfe", base)
    repo.write(".gatekeeper.yml", "version: 1\nprotected_refs: [refs/heads/main, 'refs/heads/release/*']\n")
    data = audit(capsys, repo.path, "--all")
    assert {"refs/heads/release/\\xfe", "refs/heads/release/\\xff"} <= set(data["summary"]["protected_refs"])
    assert "agent on xff" in unreviewed(data)


@pytest.mark.parametrize("text", ["plain ascii", "tab\there", "esc\x1b[31mred", "del\x7f", "a" * 500, "~ !", ""])
def test_control_safe_shortcut_matches_the_slow_path(text: str) -> None:
    """Held: the printable-ASCII shortcut of safe() returns what the regex path returns."""
    from gatekeeper import sanitize

    def slow(t: str, single_line: bool, limit: int | None) -> str:
        t = sanitize._ANSI.sub("", t)
        t = sanitize._BIDI.sub("", t)
        t = (sanitize._CONTROL_ALL if single_line else sanitize._CONTROL).sub(" " if single_line else "", t)
        return t if limit is None else sanitize.clip(t, limit)

    for single_line in (True, False):
        for limit in (None, 0, 1, 80):
            assert sanitize.safe(text, single_line=single_line, limit=limit) == slow(text, single_line, limit)
