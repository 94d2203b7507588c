"""Hostile refs and histories against policy/ambiguous-ref and the audit's "reviewed via merge" lookup:
real pushes into a bare repository with the hook installed, then `gatekeeper audit` of it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.hook_helpers import TEST_POLICY, make_server, spush
from tests.repo_builder import wide_octopus_history
from tests.test_audit import WEB_FLOW, audit_json, landed_unreviewed

DANA = ("Dana Developer", "dana@example.com")


def _forged_merge(work, first: str, second: str, number: int) -> str:  # type: ignore[no-untyped-def]
    """A "Merge pull request" commit as GitHub's web flow writes it, made by anyone with commit-tree."""
    tree = work.git("rev-parse", f"{first}^{{tree}}")
    env = {"GIT_COMMITTER_NAME": WEB_FLOW[0], "GIT_COMMITTER_EMAIL": WEB_FLOW[1],
           "GIT_AUTHOR_NAME": DANA[0], "GIT_AUTHOR_EMAIL": DANA[1]}
    return work.git("commit-tree", tree, "-p", first, "-p", second, "-m",
                    f"Merge pull request #{number} from x/side\n\nlaunder", env=env)


def server_with_root(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A hooked server whose main holds one root commit, the test policy as a file, and the clone that pushed it."""
    server = make_server(tmp_path / "srv")
    policy = tmp_path / "p.yml"
    policy.write_text(TEST_POLICY)
    work = server.clone()
    work.commit("root", {"a": "1"}, author=DANA, committer=DANA)
    assert spush(server, work, "origin", "main").code == 0
    return server, policy, work


def _listed(capsys, path: Path, *args: str) -> list[str]:  # type: ignore[no-untyped-def]
    data = audit_json(capsys, path, *args)
    return [i["sha"] for i in data["summary"]["unreviewed_mobile_ai_on_protected"]["items"]]


def test_a_forged_pr_merge_appended_to_main_launders_an_old_unreviewed_landing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    server = make_server(tmp_path / "srv")
    work, ai = landed_unreviewed(server)
    assert ai in _listed(capsys, server.path)
    forged = _forged_merge(work, "main", ai, 77)  # parents: main's tip, the AI commit already in main
    pushed = spush(server, work, "origin", f"{forged}:refs/heads/main")

    assert pushed.code == 0, pushed.output
    assert server.git("name-rev", "--name-only", "--refs=refs/heads/main", ai) == "main^2"
    assert ai in _listed(capsys, server.path), "laundered: the AI commit now counts as reviewed via merge"


def test_a_new_protected_branch_with_a_forged_pr_merge_cannot_launder_mains_landing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    server = make_server(tmp_path / "srv")
    work, ai = landed_unreviewed(server)
    policy = tmp_path / "p.yml"
    policy.write_text(TEST_POLICY)
    assert ai in _listed(capsys, server.path, "--policy", str(policy))
    forged = _forged_merge(work, "main~2", ai, 78)  # on a release branch cut before the merge
    pushed = spush(server, work, "origin", f"{forged}:refs/heads/release/launder")

    assert pushed.code == 0, pushed.output
    assert ai in _listed(capsys, server.path, "--policy", str(policy))


def test_every_protected_branch_the_commit_reached_must_show_its_review(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Reviewed on main through a PR merge; a release branch cut before it that merges main back (a plain
    merge, pushed straight) brings that PR merge along: still reviewed. A release branch that takes the AI
    commit by a plain merge of its own reached a protected branch with no review: listed."""
    server = make_server(tmp_path / "srv")
    policy = tmp_path / "p.yml"
    policy.write_text(TEST_POLICY)
    work, ai = landed_unreviewed(server, pr=5)
    assert ai not in _listed(capsys, server.path, "--policy", str(policy))
    work.git("checkout", "-q", "-b", "release/1", "main~2")
    work.merge("main", "merge main into release/1")
    assert spush(server, work, "origin", "release/1").code == 0
    assert ai not in _listed(capsys, server.path, "--policy", str(policy))

    work.git("checkout", "-q", "-b", "release/2", "main~2")
    work.merge(ai, "take the parser fix")
    assert spush(server, work, "origin", "release/2").code == 0
    assert ai in _listed(capsys, server.path, "--policy", str(policy))


def test_a_new_protected_branch_at_a_pr_merge_below_mains_plain_landing_does_not_cover_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Red team: the AI commit reached main through a plain merge (unreviewed); below it, on the branch that
    merge brought, sits a merge that looks like a PR merge (a real PR into an unprotected integration branch
    has this shape too). A new protected ref at that merge, no new object at all, made it a landing that
    main's landing holds. Only a landing from a branch ranked above the holder's in protected_refs counts."""
    server, policy, work = server_with_root(tmp_path)
    work.git("checkout", "-q", "-b", "integration")
    work.commit("integration base", {"i": "1"}, author=DANA, committer=DANA)
    work.git("checkout", "-q", "-b", "ai", "main")
    ai = work.commit("tidy the parser\n\nAssisted-by: some-agent\n", {"p": "1"}, author=DANA, committer=DANA)
    work.git("checkout", "-q", "integration")
    env = {"GIT_COMMITTER_NAME": WEB_FLOW[0], "GIT_COMMITTER_EMAIL": WEB_FLOW[1]}
    work.git("merge", "-q", "--no-ff", "-m", "Merge pull request #9 from x/ai", "ai", env=env)
    pr_like = work.head()
    work.git("checkout", "-q", "main")
    work.commit("other", {"o": "1"}, author=DANA, committer=DANA)
    work.merge("integration", "plain merge of integration")
    work.commit("after", {"e": "1"}, author=DANA, committer=DANA)
    assert spush(server, work, "origin", "main").code == 0
    assert ai in _listed(capsys, server.path, "--policy", str(policy))

    assert spush(server, work, "origin", f"{pr_like}:refs/heads/release/evil").code == 0
    assert ai in _listed(capsys, server.path, "--policy", str(policy))


def test_a_first_parent_swap_that_would_launder_mains_landing_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Red team, third round: main's landing of the AI commit is history only while main's first-parent line
    is. A forged PR merge of it onto an old main commit, then a fast-forward to merge(forged, main) with the
    old tip as second parent, put the forgery on main's line in its place: the audit counted the commit as
    reviewed, under every range and in clones. The hook refuses such a push to a protected branch."""
    server = make_server(tmp_path / "srv")
    work, ai = landed_unreviewed(server)
    assert ai in _listed(capsys, server.path)
    forged = _forged_merge(work, "main~2", ai, 79)
    swap = work.git("commit-tree", work.git("rev-parse", "main^{tree}"), "-p", forged, "-p", "main", "-m", "merge")
    pushed = spush(server, work, "origin", f"{swap}:refs/heads/main")
    assert pushed.code != 0 and "takes its old tip off its first-parent line" in pushed.output, pushed.output
    for args in ((), ("--all",), ("--rev-range", "main~1")):
        assert ai in _listed(capsys, server.path, *args)


def test_a_tag_named_remote_slash_main_shadows_origin_main_on_every_clone(tmp_path: Path) -> None:
    server = make_server(tmp_path / "srv")
    work = server.clone()
    work.commit("root", {"a": "1"}, author=DANA, committer=DANA)
    assert spush(server, work, "origin", "main").code == 0
    bait = work.commit("bait", {"b": "1"}, author=DANA, committer=DANA)
    work.git("reset", "-q", "--hard", "HEAD~1")
    pushed = spush(server, work, "origin", f"{bait}:refs/tags/origin/main")

    victim = tmp_path / "victim"
    subprocess.run(["git", "clone", "-q", str(server.path), str(victim)], check=True)
    seen = subprocess.run(["git", "rev-parse", "origin/main"], cwd=victim, capture_output=True, text=True).stdout.strip()
    assert pushed.code != 0 and seen != bait, "every fresh clone's `origin/main` is now the pushed tag"


def test_a_commit_reviewed_on_its_way_in_stays_reviewed_after_a_plain_back_merge(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The other side of the same mistake: a commit that landed through a PR merge, later joined again by a
    plain merge nearer the tip (a back-merge), is named through the plain merge; the merge that brought it
    is the PR merge, and it stays reviewed."""
    server = make_server(tmp_path / "srv")
    work, ai = landed_unreviewed(server, pr=5)
    assert ai not in _listed(capsys, server.path)
    back = work.git("commit-tree", work.git("rev-parse", "main^{tree}"), "-p", "main", "-p", ai, "-m", "merge side")
    assert spush(server, work, "origin", f"{back}:refs/heads/main").code == 0
    assert server.git("name-rev", "--name-only", "--refs=refs/heads/main", ai) == "main^2"
    assert ai not in _listed(capsys, server.path)


def test_the_landing_walk_holds_a_wide_octopus_history_in_little_memory(tmp_path: Path) -> None:
    """A pusher can land a few hundred octopus merges, each naming the same thousand commits as parents: the
    pack stays small (the parent lists delta against each other) while `rev-list --parents` prints 41 bytes
    per link. The landing walk held every link as a Python string (hundreds of bytes each: gigabytes at a
    few million links); it must hold them as numbers, and still answer as git's history says."""
    import tracemalloc

    from gatekeeper.git import Git

    octopuses = 300
    repo = tmp_path / "wide"
    wide_octopus_history(repo, sides=999, octopuses=octopuses, chained=True)
    git = Git(repo)
    tip, first_octopus = git.resolve("main"), git.resolve(f"main~{octopuses - 1}")
    side = subprocess.run(["git", "rev-list", "side"], cwd=repo, capture_output=True, text=True,
                          check=True).stdout.split()
    tracemalloc.start()
    try:
        landing = git.landings(side, {"refs/heads/main": tip})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The root is on main's first-parent line; every other side commit came in with the first octopus.
    assert {sha: found[0].point for sha, found in landing.items()} == {
        sha: (sha if sha == side[-1] else first_octopus) for sha in side}
    assert peak < 12 * 2**20, f"{peak / 2**20:.0f} MiB held for {999 * octopuses} parent links"
