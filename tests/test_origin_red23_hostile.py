"""Red team red23: what still takes mobile work out of the mobile rules after red22's fixes.

Each test is a reproduction that FAILS on main at the time of writing. Real repositories, `gatekeeper
check` in-process and real `git push`es into a bare repository with the installed hook.

Two more of red23's reproductions are open and kept on branch w/red23 (not here, as they fail): a desktop
commit that moves the phone's code with more than half new lines, or splits the file in two, still takes it
out of the mobile scan (git's similarity detection does not pair them).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from gatekeeper.models import ExitCode
from tests.hook_helpers import MO, MOBILE, TEST_POLICY, make_server, spush
from tests.repo_builder import RepoBuilder
from tests.test_origin_red22_hostile import AI_ZONE_POLICY, BANDIT_POLICY, SHELL, _check, _repo

PAD = "".join(f"\n\ndef helper_{i}(value):\n    return value + {i}\n" for i in range(40))


def _bandit_found(verdict: dict) -> bool:  # type: ignore[type-arg]
    return "bandit/B602" in [f["rule_id"] for f in verdict["findings"]]


def test_move_then_recreate_the_old_path_hides_the_mobile_code(tmp_path: Path) -> None:
    """A desktop commit `git mv src/app.py src/main.py` and writes a harmless new `src/app.py`. The old path
    still exists at the head, so it is not 'vanished' and git's `-M` pairs nothing (a modified path is never a
    rename source without -B/-C): the mobile scan reads the harmless app.py, and the phone's `shell=True`, now in
    main.py, belongs to the desktop commit (no bandit)."""
    repo, policy, base = _repo(tmp_path, BANDIT_POLICY)
    repo.commit("from the phone" + MOBILE, {"src/app.py": SHELL}, author=MO, committer=MO)
    repo.git("mv", "src/app.py", "src/main.py")
    repo.commit("move app to main, keep a stub\n", {"src/app.py": "VERSION = 1\n"}, allow_empty=True)
    code, verdict = _check(repo, policy, base)
    assert _bandit_found(verdict), verdict["findings"]
    assert code == ExitCode.BLOCKED


def _twenty(tmp_path: Path, scratch: int) -> tuple[int, dict]:  # type: ignore[type-arg]
    repo, policy, base = _repo(tmp_path, BANDIT_POLICY)
    for i in range(scratch):
        repo.commit(f"scratch {i}" + MOBILE, {f"tmp/s{i}.txt": f"{i}\n"}, author=MO, committer=MO)
    repo.commit("from the phone" + MOBILE, {"src/app.py": SHELL}, author=MO, committer=MO)
    repo.git("rm", "-q", "-r", "tmp")
    repo.git("mv", "src/app.py", "src/main.py")
    repo.commit("tidy up\n", allow_empty=True)
    return _check(repo, policy, base)


def test_nineteen_scratch_commits_keep_the_moved_file_scanned(tmp_path: Path) -> None:
    """Control (passes on main): under the cap the move is followed."""
    code, verdict = _twenty(tmp_path, 19)
    assert _bandit_found(verdict) and code == ExitCode.BLOCKED


def test_more_than_twenty_mobile_commits_with_vanished_files_hide_the_last(tmp_path: Path) -> None:
    """MOVED_COMMITS = 20: only the first 20 scanned commits whose files vanished are followed. Twenty phone
    commits add throwaway files that a desktop commit deletes; the 21st phone file is `git mv`ed."""
    code, verdict = _twenty(tmp_path, 20)
    assert _bandit_found(verdict), verdict["findings"]
    assert code == ExitCode.BLOCKED


def test_a_late_declaration_after_200_other_notes_is_silent(tmp_path: Path) -> None:
    """engine._declared_after_landing looks at the first LATE_NOTES = 200 changed notes (in the notes tree's
    order, by object id) and drops the rest without a word, though its comment says they are counted; objects
    that are not commits fill the 200 too. One notes push that also annotates 200 blobs whose ids sort before
    the commit hides the note that declares a landed commit mobile."""
    server = make_server(tmp_path / "srv", policy=TEST_POLICY)
    work = server.clone()
    work.commit("init\n", {"README": "x\n"})
    sha = work.commit("change from the phone\n", {"a.txt": "a\n"}, author=MO, committer=MO)
    assert spush(server, work, "origin", "main").code == 0
    blobs: list[bytes] = []
    i = 0
    while len(blobs) < 200:
        data = f"filler {i}\n".encode()
        i += 1
        if hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest() < sha:
            blobs.append(data)
    for data in blobs:
        blob = work.git("hash-object", "-w", "--stdin", input=data)
        work.note(blob, "Reviewed: yes\n")
    work.note(sha, MOBILE.strip() + "\n")
    result = spush(server, work, "origin", "refs/notes/origin")
    named = [f for f in server.last_verdict()["findings"] if f.get("commit") == sha]
    assert named, (result.output, [f["rule_id"] for f in server.last_verdict()["findings"]])


def test_the_same_declaration_alone_is_named(tmp_path: Path) -> None:
    """Control (passes on main): without the filler notes the late declaration is named."""
    server = make_server(tmp_path / "srv", policy=TEST_POLICY)
    work = server.clone()
    work.commit("init\n", {"README": "x\n"})
    sha = work.commit("change from the phone\n", {"a.txt": "a\n"}, author=MO, committer=MO)
    assert spush(server, work, "origin", "main").code == 0
    work.note(sha, MOBILE.strip() + "\n")
    assert spush(server, work, "origin", "refs/notes/origin").code == 0
    assert [f for f in server.last_verdict()["findings"] if f.get("commit") == sha]


def _legacy(tmp_path: Path, *, move: bool) -> tuple[int, dict]:  # type: ignore[type-arg]
    tmp_path.mkdir()
    policy_file = tmp_path / "policy.yml"
    policy_file.write_text(BANDIT_POLICY)

    repo = RepoBuilder.init(tmp_path / "repo")
    legacy = SHELL + "".join(f"\n\ndef helper_{i}(value):\n    return value * {i}\n" for i in range(5))
    base = repo.commit("root\n", {"README": "x\n", "src/legacy.py": legacy})  # already landed, judged
    repo.commit("typo fix from the phone" + MOBILE, {"src/legacy.py": legacy + "\n# fixed a typo\n"},
                author=MO, committer=MO)
    if move:
        repo.git("mv", "src/legacy.py", "src/core.py")
        repo.commit("rename legacy to core\n", allow_empty=True)
    return _check(repo, policy_file, base)


def test_co_authored_by_an_agent_in_an_origin_note_counts_like_the_trailer(tmp_path: Path) -> None:
    """README's trailer block lists `Co-authored-by: <known AI agent>` among the AI keys and says "the same
    keys" are read from refs/notes/origin; red22's fix reads only Assisted-by/Generated-by from the note
    (AITrailerDetector), while the co-author detector reads the commit's trailers only: an agent named as
    co-author in the note leaves the commit `ai: none`, and the AI-free zone takes it."""
    (tmp_path / "trailer").mkdir()
    repo, policy, base = _repo(tmp_path / "trailer", AI_ZONE_POLICY)  # control: as a trailer it blocks
    repo.commit("payments change\n\nCo-authored-by: Claude <noreply@anthropic.com>\n",
                {"src/payments/pay.py": "AMOUNT = 1\n"})
    assert _check(repo, policy, base)[0] == ExitCode.BLOCKED
    repo, policy, base = _repo(tmp_path, AI_ZONE_POLICY)
    sha = repo.commit("payments change\n", {"src/payments/pay.py": "AMOUNT = 1\n"})
    repo.note(sha, "Co-authored-by: Claude <noreply@anthropic.com>\n")
    code, verdict = _check(repo, policy, base)
    assert verdict["commits"][0]["origin"]["ai"] != "none", verdict["commits"][0]["origin"]
    assert code == ExitCode.BLOCKED


def test_a_desktop_rename_does_not_charge_landed_code_to_the_phone(tmp_path: Path) -> None:
    """A false block the red22 fix brings: the phone adds one comment to a landed file that already holds
    `shell=True`; a desktop commit of the same push renames the file. The rename is now followed, and the
    head scan's added lines (range_additions, renames off) count every line of the renamed file as added: the
    landed `shell=True` is charged to the phone commit and blocks the push. Without the rename (control) the
    same phone commit passes."""
    code, verdict = _legacy(tmp_path / "plain", move=False)
    assert not _bandit_found(verdict) and code != ExitCode.BLOCKED  # control
    code, verdict = _legacy(tmp_path / "moved", move=True)
    assert not _bandit_found(verdict), verdict["findings"]
    assert code != ExitCode.BLOCKED
