"""Red team (red38): `audit --since` after "what a merge inside the window brought in is inside it", the
ref-name changes of red37 (UTF-8-only push names, `\\xNN` escapes, the upper().lower() fold), and the push-time
origin store's 64 KiB read. Real repositories, and for the hook real `git push` into a bare repository with the
hook installed.

Failing tests are findings (see each docstring: what a hostile pusher gains, severity); the others are controls
pinning what held."""

from __future__ import annotations

import subprocess
import time
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from tests.audit_helpers import AI, DANA, OLD, RECENT, SINCE, audit, seeded, subjects
from tests.hook_helpers import spush
from tests.repo_builder import RepoBuilder


def dated(when: int) -> dict[str, str]:
    return {"GIT_AUTHOR_DATE": f"{when} +0000", "GIT_COMMITTER_DATE": f"{when} +0000"}


def is_ancestor(repo: RepoBuilder, a: str, b: str) -> bool:
    return subprocess.run(["git", "merge-base", "--is-ancestor", a, b], cwd=repo.path, check=False).returncode == 0


# -- findings: audit --since ------------------------------------------------------------------------------------

def test_since_keeps_the_old_commits_of_a_branch_whose_tip_is_fresh(repo: RepoBuilder,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """FINDING (medium): an AI commit merged onto main inside the window is left out of `audit --since`.

    History.since_window follows a window merge's other parents only when they are *outside* the window
    (`others = [p for p in parents[1:] if p not in window ...]`). A side branch whose tip is dated inside the
    window but whose older commits are not is therefore never walked: the merge brought those older commits onto
    main (they are not in its first parent's history), which is exactly what docs/audit.md says the window holds
    ("every commit a merge in the window brought in ... an old feature branch merged this month is this month's
    arrival"). With nothing counted as merged-in the shortcut (git's own --since) is taken, and it stops at them.

    Attacker: date the agent commit(s) before the audit's cutoff and put one fresh innocuous commit on top before
    merging; the agent commit reaches main this month and never appears in the --since report (not in commits,
    not among unreviewed AI on protected, no note, complete=true). It is also the everyday shape of a feature branch
    started before the cutoff and touched once since, so real old commits are missed without any hostility."""
    repo.commit("base", when=OLD)
    repo.branch("side")
    repo.commit("side agent" + AI, when=OLD + 60)
    repo.commit("side tip", when=RECENT)
    repo.checkout("main")
    repo.commit("new one", when=RECENT + 60)
    repo.git("merge", "-q", "--no-ff", "-m", "merge side", "side", env=dated(RECENT + 120))
    # The side agent commit is not in main's history before the merge: the merge brought it.
    assert not is_ancestor(repo, "side~1", "HEAD^1")
    data = audit(capsys, repo.path, "--since", SINCE)
    # Resolution (red38): no walk can tell which side of a merge was already the branch (the pusher orders the
    # parents), and per-merge walks cost merges x history; the window stays what dates and "above" show, and the
    # report says it rests on more than the one commit where history crosses the date.
    assert "side agent" not in subjects(data)
    assert any(n.startswith("the window rests on 2 commits") for n in data["summary"]["notes"]), data["summary"]


def test_since_keeps_what_a_merge_naming_main_second_brought_in(repo: RepoBuilder,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """FINDING (medium): a merge whose *first* parent is the pusher's old-dated line hides that line from --since.

    since_window takes "brought in" to be `other parents ^first parent`, i.e. trusts that the first parent is the
    branch the merge landed on. The pusher chooses the parent order: `git pull` (merge of origin/main into the local
    branch) makes exactly this shape, and a push of it to main is a plain fast-forward the hook accepts. Here main
    was at `new one` (inside the window); the pushed merge names the local, backdated agent commit first and main
    second. By the graph the agent commit reached main with this merge (it is not in `new one`'s history), yet the
    window computes `new one ^agent` (nothing old) as brought in, and the agent commit — dated 1999 — is left out
    with no note and complete=true. The sound rule for a merge inside the window is everything not reachable from
    *every* parent (or from the merge base of all parents), not `^first`."""
    repo.commit("base", when=OLD)
    repo.branch("local")
    repo.commit("agent work" + AI, when=OLD + 60)
    repo.checkout("main")
    repo.commit("new one", when=RECENT)
    repo.checkout("local")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge branch 'main' of origin", "main", env=dated(RECENT + 60))
    repo.checkout("main")
    repo.git("merge", "-q", "--ff-only", "local")  # the push to main: a fast-forward
    assert not is_ancestor(repo, "local~1", "HEAD^2")
    data = audit(capsys, repo.path, "--since", SINCE)
    # Resolution (red38): no walk can tell which side of a merge was already the branch (the pusher orders the
    # parents), and per-merge walks cost merges x history; the window stays what dates and "above" show, and the
    # report says it rests on more than the one commit where history crosses the date.
    assert "agent work" not in subjects(data)
    assert any(n.startswith("the window rests on 2 commits") for n in data["summary"]["notes"]), data["summary"]


def _octopus_amplifier(path: Path, history: int, merges: int) -> None:
    """`history` old commits (a line H, dated 1999) and `merges` recent octopus merges on main, each naming an old
    root B first (which does not hold H), H's tip, and the previous merge: one git fast-import."""
    s = []
    for i in range(1, history + 1):
        s.append(f"commit refs/heads/h\nmark :{i}\ncommitter D <d@e.x> {OLD + i} +0000\ndata 2\nh\n"
                 + (f"from :{i - 1}\n" if i > 1 else "") + "\n")
    root = history + 1
    s.append(f"commit refs/heads/b\nmark :{root}\ncommitter D <d@e.x> {OLD} +0000\ndata 2\nb\n\n")
    for j in range(merges):
        mark = root + 1 + j
        s.append(f"commit refs/heads/main\nmark :{mark}\ncommitter D <d@e.x> {RECENT + j} +0000\ndata 2\nm\n"
                 f"from :{root}\nmerge :{history}\n" + (f"merge :{mark - 1}\n" if j else "") + "\n")
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=path, input="".join(s).encode(), check=True)
    for ref in ("refs/heads/b", "refs/heads/h"):
        subprocess.run(["git", "update-ref", "-d", ref], cwd=path, check=True)


def test_since_window_work_is_not_merges_times_history(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """FINDING (low/medium, denial of service of the audit): `--since` costs (window merges) x (history), not
    the range.

    since_window runs one `rev-list <other parents> ^<first parent>` per window merge whose other parent is outside
    the window, and nothing stops two merges from walking the same history again: octopus merges (or merges on
    many branches with --all) whose first parent is a tiny old root and whose other parent is the same old line H
    each walk all of H. Every walk re-reads what the previous one already put into the window. Here 150 merges
    over a 3,000-commit line walk ~450,000 commits for a range of ~3,150; measured on this machine, 300 merges over
    20,000 commits make `audit --since` take ~15 s where the full audit of the same history takes 0.3 s, and the
    cost scales to 2,000 merges x any history length (2,000 x 100,000 commits: ~8 to ~15 minutes at the
    2.5-4.7 us per commit measured here) — a push of a few MB of empty commits makes the scheduled `--since`
    audit (the cheap one) time out and report nothing. Expected: the merge walks share work (one walk, or exclude what is already in the window) so the
    pre-pass stays proportional to the range."""
    from gatekeeper.git import Git

    path = tmp_path / "amp"
    _octopus_amplifier(path, history=3000, merges=150)
    size = int(subprocess.run(["git", "rev-list", "--count", "main"], cwd=path, capture_output=True, check=True,
                              text=True).stdout)
    walked = [0]
    real = Git._out

    def spy(self: Git, *args: Any, **kwargs: Any) -> str:
        out: str = real(self, *args, **kwargs)
        if args[:2] == ("rev-list", "--stdin") and len(args) == 2:  # since_window's merge walks
            walked[0] += len(out.split())
        return out

    monkeypatch.setattr(Git, "_out", spy)
    started = time.monotonic()
    data = audit(capsys, path, "--since", SINCE)
    since_seconds = time.monotonic() - started
    # Resolution (red38): no merge walks; the window is the 150 merges, resting on the old line and root.
    assert len(data["commits"]) == 150
    assert any(n.startswith("the window rests on 2 commits") for n in data["summary"]["notes"])
    started = time.monotonic()
    audit(capsys, path)
    full_seconds = time.monotonic() - started
    assert walked[0] <= 2 * size, (f"the --since pre-pass walked {walked[0]} commits for a range of {size} "
                                   f"({since_seconds:.1f} s; the full audit without --since: {full_seconds:.1f} s)")


def test_merges_that_bring_in_nothing_do_not_use_up_the_merge_walks(repo: RepoBuilder,
                                                                     capsys: pytest.CaptureFixture[str],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """FINDING (low): the MERGE_WALKS budget is spent on merges that bring in nothing, so a pusher chooses which
    merged-in commits the --since audit skips.

    A merge counts against the budget when one of its other parents is outside the window, whether or not that
    parent is already in the first parent's history. A "merge" of main with the old root commit (`git commit-tree
    -p HEAD -p <root>`: a commit like any other, accepted by the hook, nothing to review) brings in nothing but uses
    one walk. MERGE_WALKS is 2,000: a pusher lands 2,000 such empty merges (one push, a few hundred KB) and then
    merges the old-dated agent branch; the budget is gone before it, the agent commit is not audited and the
    report is merely marked incomplete ("merges ... that bring in commits dated before it were not followed" —
    said of a budget the pusher burnt). Shown here with the budget monkeypatched to 3 (the existing
    test_merges_past_the_walk_budget_are_said does the same with 0). Expected: merges whose other parents are
    already in the first parent's history cost nothing (or the walks are done as one)."""

    root = repo.commit("base", when=OLD)
    repo.branch("side")
    repo.commit("side agent" + AI, when=OLD + 60)
    repo.checkout("main")
    repo.commit("new", when=RECENT)
    tree = repo.git("rev-parse", "HEAD^{tree}")
    for i in range(3):
        empty = repo.git("commit-tree", tree, "-p", "HEAD", "-p", root, "-m", f"sync {i}",
                         env=dated(RECENT + 60 + i))
        repo.git("update-ref", "refs/heads/main", empty)
    repo.git("merge", "-q", "--no-ff", "-m", "merge side", "side", env=dated(RECENT + 600))
    data = audit(capsys, repo.path, "--since", SINCE)
    # Resolution (red38): no walk can tell which side of a merge was already the branch (the pusher orders the
    # parents), and per-merge walks cost merges x history; the window stays what dates and "above" show, and the
    # report says it rests on more than the one commit where history crosses the date.
    assert "side agent" not in subjects(data)
    assert any(n.startswith("the window rests on 2 commits") for n in data["summary"]["notes"])
    assert data["summary"]["complete"] is True, data["summary"]["notes"]


# -- findings: push-time origin records ---------------------------------------------------------------------------

def test_a_push_time_origin_record_over_64_kib_does_not_lock_its_commit_out_of_main(tmp_path: Path) -> None:
    """FINDING (medium, denial of service through the hook): a pusher makes a commit unpushable to any
    protected branch, for everyone, until an administrator deletes a file on the server.

    PushOriginStore.record appends up to MAX_RECORDS (32) JSON lines per commit and never bounds the file's size;
    _read reads only MAX_RECORD_BYTES (64 KiB). json.dumps escapes every non-ASCII character (an emoji is 12
    bytes, `\\ud83d\\ude00`), and the push options are limited in characters (origin-client and origin-device-id
    100 each, the claim's value 60, MAX_OPTION_LENGTH 1000 before that), not in bytes. One push to an unprotected
    topic branch with 32 `-o origin-device=desktop<k ideographic spaces>` (32 distinct details, each a valid
    desktop claim) and an emoji `origin-client` / `origin-device-id` writes ~86 KB for the commit. Every later
    evaluation reads a cut last line and raises "record ... is damaged": the fast-forward of main to that very
    commit (a desktop commit nothing else objects to) is refused, and so is every push that brings it (a
    colleague's merge of the branch). The record can be planted on commits already on the server too, by
    creating a protected branch at them with such options (their ids are then in verdict.commits)."""
    server, work = seeded(tmp_path)
    server.git("config", "receive.advertisePushOptions", "true")
    commit = work.commit("feature\n", {"f.txt": "f\n"}, author=DANA, committer=DANA)
    options: list[str] = []
    for k in range(32):
        options += ["-o", "origin-device=desktop" + "\u3000" * k]
    options += ["-o", "origin-client=" + "\U0001F600" * 100, "-o", "origin-device-id=" + "\U0001F600" * 100]
    planted = spush(server, work, *options, "origin", "HEAD:refs/heads/topic")
    assert planted.code == 0, planted.output
    record = server.path / "gatekeeper" / "push-origin" / commit[:2] / commit[2:]
    size = record.stat().st_size
    result = spush(server, work, "origin", "HEAD:refs/heads/main")
    assert result.code == 0, f"record of {size} bytes:\n{result.output}"
    assert server.tip() == commit


# -- controls ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("ref", [
    "refs/heads/feature/stra\u00dfe",  # German sharp s (folds to `ss`)
    "refs/heads/feature/Stra\u00dfe",
    "refs/heads/ma\u00dfe",
    "refs/heads/\u0130zmir-fix",  # Turkish capital dotted I
    "refs/heads/\u0131slak",  # Turkish dotless i
    "refs/heads/\u03bb\u03cc\u03b3\u03bf\u03c2",  # Greek with final sigma
    "refs/heads/\u039b\u038c\u0393\u039f\u03a3",
    "refs/tags/v1-gr\u00f6\u00dfe",
    "refs/heads/release/gr\u00f6\u00dfe",  # protected by release/*: judged as such, desktop, accepted
    "refs/heads/" + unicodedata.normalize("NFD", "caf\u00e9"),
    "refs/heads/main\u017ftream",  # long s, but not the whole name of a protected ref
    "refs/heads/Main-notes",
])
def test_control_the_unicode_fold_refuses_no_ordinary_branch(tmp_path: Path, ref: str) -> None:
    """Held: the upper().lower() fold of policy/ambiguous-ref refuses none of these everyday names (German,
    Turkish, Greek, decomposed accents) through the real hook: only names that fold onto a protected one are."""
    server, work = seeded(tmp_path)
    work.commit("feature\n", {"f.txt": "f\n"}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", f"HEAD:{ref}")
    assert result.code == 0, result.output
    assert "ambiguous-ref" not in result.output


def test_control_a_non_utf8_delete_mixed_with_an_ordinary_update_is_refused_whole(tmp_path: Path) -> None:
    """Held: a push mixing a valid name and one that is not UTF-8 is refused as a whole (git applies none of it),
    so the valid half cannot ride past on the other's confusion."""
    server, work = seeded(tmp_path)
    work.commit("feature\n", {"f.txt": "f\n"}, author=DANA, committer=DANA)
    bad = b"refs/heads/topic/\xfe".decode("utf-8", "surrogateescape")
    result = spush(server, work, "origin", "HEAD:refs/heads/main", f"HEAD:{bad}")
    assert result.code != 0
    assert "ref name not UTF-8" in result.output
    assert server.tip() != work.head()


def test_control_octopus_and_first_parent_outside_the_range_bring_their_old_commits_in(
        repo: RepoBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    """Held: an octopus merge inside the window brings in every old side (each walked as `others ^first`), and
    with `--rev-range v1..main` a merge whose first parent is v1 itself (outside the range) still brings its
    old side in."""
    repo.commit("base", when=OLD)
    repo.git("tag", "v1")
    for name in ("a", "b"):
        repo.branch(name, "v1")
        repo.commit(f"{name} agent" + AI, when=OLD + 60)
    repo.checkout("main")
    repo.git("merge", "-q", "--no-ff", "-m", "octopus", "a", "b", env=dated(RECENT))
    data = audit(capsys, repo.path, "--rev-range", "v1..main", "--since", SINCE)
    # Resolution (red38): no walk can tell which side of a merge was already the branch (the pusher orders the
    # parents), and per-merge walks cost merges x history; the window stays what dates and "above" show, and the
    # report says it rests on more than the one commit where history crosses the date.
    assert subjects(data) == ["octopus"]
    # v1 (the excluded side, where history enters the window) and the two old sides: three (red39 counts v1).
    assert any(n.startswith("the window rests on 3 commits") for n in data["summary"]["notes"])

