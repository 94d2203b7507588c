"""fix118: red118's findings attacked as classes (tests/test_red118_hostile.py holds the red team's own cases).

1. A one-parent commit the merge queue made is tied to a PR other than the one the queue branch names only on
   evidence the pusher cannot write: its tree is GitHub's squash of that PR's head onto the commit's parent (what
   the reviewers of the head approved, applied where the queue applied it). Subject, author, co-author lines and
   the squash layout are the author's own text in a rebase-method queue; forging all of them gains nothing.
2. The named PR's rebased copies are the group's topmost commits, one per non-merge commit of the PR (a rebase
   writes no copy of an Update-branch merge), each matched to a different listed commit.
3. After git's combined diff runs out of memory, each later merge is diffed against each parent for its own
   candidate paths only (literal pathspecs, hostile names included, their directories when there are too many or
   too long to name), and every line the unfiltered fallback gave is still given.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer

import gatekeeper.scan.added_lines as added_lines
from gatekeeper.git import Git
from gatekeeper.models import ExitCode, ReviewStatus
from gatekeeper.modes.action import ActionSettings, run_action
from tests.github_helpers import (
    serve_reviews,
    synthetic_associated_pull,
    synthetic_pull_commit,
    synthetic_review,
    web_flow_commit,
    webhook_example,
)
from tests.repo_builder import RepoBuilder
from tests.test_action import MOBILE, POLICY, REPO, Env, gh
from tests.test_audit_review_trust import forge_key
from tests.test_red118_hostile import ALICE, DANA, MALLORY, ForgeKey, _heavy_merge, _unrelated_merges

__all__ = ["forge_key", "gh"]  # fixtures used below


# -- 1. another PR's squash: tied by its tree, not by words ---------------------------------------------------------

def _queue_of_5_and_7(gh: Env, httpserver: HTTPServer, repo: RepoBuilder, forge_key: ForgeKey, *,
                      forged: bool) -> tuple[str, ExitCode, ReviewStatus, str]:
    """Alice's #5 (settings page, approved by Bob at its head, which IS in the clone: fetch-depth: 0) and Dana's #7
    (docs, approved) queued on main. The group: S5 then S7. `forged`: S5 is not GitHub's squash of #5 but an earlier
    entry's rebased copy whose author wrote everything a squash shows — #5's title + ` (#5)`, Alice as author,
    GitHub's squash layout with Alice's co-author line — and changes app.py instead of adding #5's settings page."""
    env, keys, fpr = forge_key
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY, "app.py": "print('hi')\n", "README.md": "x\n"})
    repo.git("checkout", "-q", "-b", "alice/settings", base)
    head5 = repo.commit("settings: first cut" + MOBILE, {"settings.py": "PAGE = 1\n"},
                        author=ALICE, committer=ALICE)
    repo.git("checkout", "-q", "main")
    squash = (f"Add the settings page (#5)\n\n* settings: first cut\n\n---------\n\n"
              f"Co-authored-by: {ALICE[0]} <{ALICE[1]}>\n{MOBILE.strip()}\n")
    s5 = web_flow_commit(repo, env, fpr, squash,
                         {"app.py": "print('pwned')\n"} if forged else {"settings.py": "PAGE = 1\n"}, ALICE)
    s7 = web_flow_commit(repo, env, fpr, "docs: typo (#7)\n", {"README.md": "y\n"}, DANA)
    head7 = "7" * 40  # SYNTHETIC: #7's own branch is not needed
    payload = webhook_example("api.github.com/merge_group/checks_requested.payload.json")
    group = payload["merge_group"]
    group["base_sha"], group["head_sha"], group["base_ref"] = base, s7, "refs/heads/main"  # SYNTHETIC
    group["head_ref"] = f"refs/heads/gh-readonly-queue/main/pr-7-{head7}"
    for sha in (s5, s7):
        httpserver.expect_request(f"/repos/{REPO}/commits/{sha}/pulls").respond_with_json([])
    serve_reviews(httpserver, 7, [synthetic_review("carol", "APPROVED", head7, rid=1)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/7/commits").respond_with_json(
        [synthetic_pull_commit(head7, login="dana", email=DANA[1], message="docs: typo\n")])
    serve_reviews(httpserver, 5, [synthetic_review("bob", "APPROVED", head5, rid=2)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/5/commits").respond_with_json(
        [synthetic_pull_commit(head5, login="alice", email=ALICE[1], message="settings: first cut" + MOBILE)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/5").respond_with_json(
        synthetic_associated_pull(5, base_ref="main", head_sha=head5, merged=False, author="alice",
                                  title="Add the settings page"))
    gh.event.write_text(json.dumps(payload))
    settings = ActionSettings.from_env({**gh.vars, "GITHUB_EVENT_NAME": "merge_group"})
    verdict = run_action(settings, forge_keys=keys).verdict
    assert verdict is not None
    judged = next(c for c in verdict.commits if c.commit.sha == s5)
    assert judged.signature.status.value == "good"  # premise: GitHub made it
    return s5, verdict.exit_code, judged.review.status, judged.review.detail


def test_a_copy_forging_every_word_of_another_prs_squash_is_not_judged_by_it(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder, forge_key: ForgeKey) -> None:
    """Everything in a rebased copy but its committer, signature, parent and tree is the commit author's: a subject
    `<#5's title> (#5)`, #5's author as author, GitHub's squash body and ending. None of it shows that #5's
    reviewers saw what the commit changes; its tree does — a squash of #5 is #5's head merged onto the parent.
    Here the tree is not: review/missing, blocked."""
    _, code, status, detail = _queue_of_5_and_7(gh, httpserver, repo, forge_key, forged=True)
    assert status is not ReviewStatus.APPROVED, f"a forged squash passed on #5's approval: {detail}"
    assert code == ExitCode.BLOCKED


def test_github_squash_of_an_earlier_entry_is_judged_by_its_pr(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder, forge_key: ForgeKey) -> None:
    """Control: the same queue with S5 GitHub's real squash of #5 (its tree is the parent with #5's head merged in)
    is judged by #5 and passes on Bob's approval of #5's head (squash-method queues keep working)."""
    _, code, status, detail = _queue_of_5_and_7(gh, httpserver, repo, forge_key, forged=False)
    assert status is ReviewStatus.APPROVED, detail
    assert detail.startswith("PR #5"), detail
    assert code == ExitCode.OK


# -- 2. the named PR's copies: one per listed non-merge commit -------------------------------------------------------

def test_a_listed_commit_the_rebase_did_not_copy_does_not_lend_its_place(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder, forge_key: ForgeKey) -> None:
    """Dana's #9 lists two commits: the phone docs fix and a second one the rebase copied to nothing (an empty
    commit, or one whose change main already has: GitHub drops it). The top-2 window then holds R9 and Mallory's R8
    below it, which carries the message of #9's first commit. Matched by "any listed message", both are #9's copies
    and #9's approval covers Mallory's phone change. Matched one to one, R9 takes that message and R8 finds none
    left: review/missing."""
    env, keys, fpr = forge_key
    message = "docs: typo" + MOBILE
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY, "app.py": "print('hi')\n", "README.md": "x\n"})
    r8 = web_flow_commit(repo, env, fpr, message, {"app.py": "print('pwned')\n"}, MALLORY)
    r9 = web_flow_commit(repo, env, fpr, message, {"README.md": "y\n"}, DANA)
    head9, first9 = "9" * 40, "a" * 40  # SYNTHETIC: #9's own branch is not in the clone
    payload = webhook_example("api.github.com/merge_group/checks_requested.payload.json")
    group = payload["merge_group"]
    group["base_sha"], group["head_sha"], group["base_ref"] = base, r9, "refs/heads/main"  # SYNTHETIC
    group["head_ref"] = f"refs/heads/gh-readonly-queue/main/pr-9-{head9}"
    for sha in (r8, r9):
        httpserver.expect_request(f"/repos/{REPO}/commits/{sha}/pulls").respond_with_json([])
    serve_reviews(httpserver, 9, [synthetic_review("carol", "APPROVED", head9, rid=1)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/9/commits").respond_with_json([
        synthetic_pull_commit(first9, login="dana", email=DANA[1], message=message),
        synthetic_pull_commit(head9, login="dana", email=DANA[1], message="docs: drop a line main dropped too\n")])
    gh.event.write_text(json.dumps(payload))
    settings = ActionSettings.from_env({**gh.vars, "GITHUB_EVENT_NAME": "merge_group"})
    verdict = run_action(settings, forge_keys=keys).verdict
    assert verdict is not None
    phone = next(c for c in verdict.commits if c.commit.sha == r8)
    assert phone.review.status is not ReviewStatus.APPROVED, phone.review.detail
    assert verdict.exit_code == ExitCode.BLOCKED
    own = next(c for c in verdict.commits if c.commit.sha == r9)
    assert own.review.status is ReviewStatus.APPROVED, own.review.detail  # #9's own copy stays #9's


# -- 3. the fallback names each merge's own paths, literally ----------------------------------------------------------

HOSTILE_NAMES = [":(glob)*", "*", "[ab]", "-p", "--", ":!ex", ":/top", "a\nb", "tab\there", 'q"uote', "back\\slash",
                 " b/ x", "trail ", "dir/:(exclude)x", "dir/*"]


@pytest.fixture
def streamed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[list[str]]]:
    """The fallback forced (the combined diff capped at 128 MiB; the heavy merge needs ~200 MiB) and the pathspecs
    of every pair_patches call recorded."""
    calls: list[list[str]] = []
    original = Git.pair_patches

    def recording(self: Git, pairs: object, **kwargs: object) -> object:
        paths = kwargs.get("paths")
        calls.append([] if paths is None else [bytes(p).decode("utf-8", "surrogateescape")  # type: ignore[arg-type]
                                               for p in paths])  # type: ignore[union-attr]
        return original(self, pairs, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Git, "pair_patches", recording)
    monkeypatch.setattr(added_lines, "COMBINED_DIFF_MEMORY", 128 << 20)
    yield calls


def _expected(repo: RepoBuilder, merge: str) -> dict[bytes, set[int]]:
    """Per path, the line numbers `git diff -U0 <parent> <merge>` adds against EVERY parent (the red team's
    reference), for the paths that differ from every parent."""
    listed = subprocess.run(["git", "-C", str(repo.path), "diff-tree", "-c", "-r", "-z", "--name-only",
                             "--no-commit-id", merge], capture_output=True, check=True).stdout
    paths = [p for p in listed.split(b"\x00") if p]
    parents = repo.git("rev-list", "--no-walk", "--parents", merge).split()[1:]
    found: dict[bytes, set[int]] | None = None
    for parent in parents:
        out = subprocess.run(["git", "-C", str(repo.path), "diff", "-U0", "--no-renames", "--no-color",
                              "--src-prefix=a/", "--dst-prefix=b/", parent, merge, "--",
                              *(b":(literal)" + p for p in paths)], capture_output=True, check=True).stdout
        lines = {(path, n) for _, patch in added_lines.parse_patch(out.splitlines(keepends=True))
                 if not patch.deleted for path in [patch.key] for n in patch.line_numbers}
        mine = {(p, n) for p, n in lines}
        found = mine if found is None else {x for x in found if x in mine}
    result: dict[bytes, set[int]] = {}
    for path, number in found or set():
        result.setdefault(path, set()).add(number)
    return result


def _got(git: Git, commits: list[str], merge: str, *, own: bool = False) -> dict[bytes, set[int]]:
    """The merge's lines as iter_commit_additions gives them; `own`: only those in none of its parents (without what
    it holds beyond git's re-merge, fix133m)."""
    got: dict[bytes, set[int]] = {}
    read = added_lines._own_additions if own else added_lines.iter_commit_additions
    for commit, patch in read(git, commits, max_file_bytes=added_lines.DEFAULT_MAX_FILE_BYTES,
                              max_file_lines=added_lines.DEFAULT_MAX_FILE_LINES):
        if commit == merge and patch.added:
            got.setdefault(patch.key, set()).update(patch.line_numbers)
    return got


def test_the_fallback_names_hostile_paths_literally(repo: RepoBuilder, streamed: list[list[str]]) -> None:
    """After the heavy merge, a merge whose own paths are named like pathspec magic, options, a newline, a tab and
    quotes, with an unrelated one-file history as second parent: each of its paths is named to git literally and
    every line it adds against both parents is found — no more, no fewer than `git diff` per parent gives."""
    repo.commit("base\n", {"lock.json": "{}\n", "src/keep.py": "x = 1\n"})
    start = repo.head()
    heavy = _heavy_merge(repo, 4000)
    for i, name in enumerate(HOSTILE_NAMES):
        repo.write(name, f"evil_{i} = 'line'\nsecond_{i} = 2\n")
    repo.git("add", "-A")
    [merge] = _unrelated_merges(repo, 1)
    commits = repo.git("rev-list", "--reverse", f"{start}..main").split()
    # (Own lines only: the unrelated parent also has lock.json, a conflict in git's re-merge, whose lines then
    # count against either parent.)
    got = _got(Git(repo.path), commits, merge, own=True)
    assert got == _expected(repo, merge)
    assert len(got) >= len(HOSTILE_NAMES)  # premise: every hostile name has lines of its own
    named = [c for c in streamed if c]
    assert named and all(set(HOSTILE_NAMES) <= set(c) for c in named if "notes/n0.txt" in c), named
    assert heavy


def test_the_fallback_names_directories_when_a_merge_has_too_many_paths(
        repo: RepoBuilder, streamed: list[list[str]]) -> None:
    """A merge with 1,500 own paths in 3 directories (more than git should match one by one against every tree
    entry) and one with paths too long to name together on a command line (1,100 names of 300 bytes: 330 KB, in one directory): they
    are named by their directories, not read as the whole tree, and their lines are all found."""
    repo.commit("base\n", {"lock.json": "{}\n", **{f"big/f{i}.py": f"v = {i}\n" for i in range(300)}})
    start = repo.head()
    _heavy_merge(repo, 4000)
    for i in range(1500):
        repo.write(f"many{i % 3}/f{i}.txt", f"m_{i} = 1\n")
    repo.git("add", "-A")
    [wide] = _unrelated_merges(repo, 1)
    deep = "d/" + "/".join(["x" * 60] * 4)
    for i in range(1100):
        repo.write(f"{deep}/{'y' * 40}{i:05d}", f"l_{i} = 1\n")
    repo.git("add", "-A")
    [lengthy] = _unrelated_merges(repo, 1)
    commits = repo.git("rev-list", "--reverse", f"{start}..main").split()
    git = Git(repo.path)
    for merge in (wide, lengthy):
        assert _got(git, commits, merge) == _expected(repo, merge)
    named = [c for c in streamed if c]
    assert any(set(c) >= {"many0", "many1", "many2"} and len(c) < 10 for c in named), [c[:5] for c in named]
    assert any(deep in c and len(c) < 10 for c in named), [c[:5] for c in named]
    assert all(sum(len(p) for p in c) < 256 << 10 for c in named)


def test_the_fallback_gives_every_later_commit_once(repo: RepoBuilder, streamed: list[list[str]]) -> None:
    """Non-merges and merges after the heavy one, interleaved: each commit's patches are given once, in order, the
    non-merges whole (with no pathspec) and the merges' lines as `git diff` per parent gives them."""
    repo.commit("base\n", {"lock.json": "{}\n", "a.py": "a = 1\n"})
    start = repo.head()
    heavy = _heavy_merge(repo, 4000)
    plain = repo.commit("plain\n", {"b.py": "b = 1\n"})
    [merge] = _unrelated_merges(repo, 1)
    later = repo.commit("later\n", {"c.py": "c = 1\n"})
    commits = repo.git("rev-list", "--reverse", f"{start}..main").split()
    seen = [(c, p.path) for c, p in added_lines.iter_commit_additions(Git(repo.path), commits)]
    assert len(seen) == len(set(seen)), seen
    order = [c for c, _ in seen]
    assert order.index(heavy) < order.index(plain) < order.index(merge) < order.index(later)
    assert (plain, "b.py") in seen and (later, "c.py") in seen and (merge, "notes/n0.txt") in seen
    assert _got(Git(repo.path), commits, merge) == _expected(repo, merge)


def test_a_pathspec_too_long_for_argv_is_not_a_failure() -> None:
    """The pathspec helper: paths whose bytes would pass the argv limit collapse to directories, and to no
    pathspec (every path) when even the top level is too wide."""
    spec = added_lines._literal_paths
    assert spec([b"a/b/c", b"a/b/d"]) == [b"a/b/c", b"a/b/d"]
    assert spec([f"dir/{i}".encode() for i in range(2000)]) == [b"dir"]
    assert spec([b"t/" + b"y" * 200_000]) == [b"t"]
    assert spec([b"z" * 300_000]) is None
    assert spec([f"top{i}".encode() for i in range(2000)]) is None
