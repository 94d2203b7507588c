"""Red team red118: the last session's code — merge scanning under git's memory cap (4f62ac1, 8d55b11, 3c4b5fa:
`commit_patches` --cc under RLIMIT_AS, `out_of_memory`, the one-parent-at-a-time fallback `_additions_by_parent` /
`_PairReader` / `_narrowed`, `range_additions` with several bases) and the merge-queue review ties (e34b6fa, e0ba26a:
`_queued_before`, `_queue_made_for`, `_group_top`, squash `(#N)` titles).

Harness: real repositories (RepoBuilder), real pushes into a bare repository with the hook installed
(tests/hook_helpers.py; the hook held to 1.5 GiB of address space as tests/test_wide_merges.py holds it), the
fallback forced in-process by lowering `COMBINED_DIFF_MEMORY` to 128 MiB (a 4,000-line lock-file merge needs
~200 MiB of git there, a plain commit ~30 MiB); the real `gatekeeper action` (`run_action`) against a local GitHub
API (pytest-httpserver, corpus-shaped answers, SYNTHETIC marks edited fields) with the stand-in web-flow key.

Findings (each test FAILS on fb1ea5d for the reason its docstring names, and asserts the secure behaviour):

1. MEDIUM (miss of review, as red115 rated it; rebase-method queue, where GitHub does not run every entry's checks — red115's precondition)
   — review/github_source.py `_queued_before` -> `_queue_made_for(named=False)`: a one-parent commit the queue made
   is tied to another open PR #5 when its subject is `<#5's title> (#5)` or `<a #5 commit's subject> (#5)`. In a
   rebase-method queue that subject is the earlier entry's AUTHOR's (the copy keeps her message), and #5's title and
   commits are public: Mallory's unapproved phone commit passes on Bob's approval of Alice's unrelated open PR #5
   (exit 0, "PR #5: 1 of 1 qualifying approval(s)"), both spellings. red115 finding 2 with the title copied; the fix
   red115 proposed also asked for #5's author as the commit's author — not implemented. Fix: require the commit's
   author to be #5's author and its change to be #5's net change, or never tie a one-parent copy to a PR other than
   the named one (review/missing, as docs/action.md promises for an earlier entry's copy).
2. MEDIUM (miss of review; same precondition) — `_queue_made_for(named=True)` / `_group_top(len(pull.commits))`:
   the named PR's rebased copies are "the group's topmost commits, as many as the PR has", counted from
   pulls/N/commits — which lists the PR's merge commits (the Update-branch button's `Merge branch 'main' into …`),
   of which a rebase writes no copy. One such merge widens the window by one commit into the earlier entry, and that
   entry's copy carrying the message of one of #9's commits is "#9's copy": APPROVED by #9's approval, exit 0
   (red117 finding 1, reopened by an everyday click). Fix: count non-merge commits only, and match each copy to a
   distinct listed commit in order.
3. MEDIUM (cost; false block on time; unbounded in `check` and the Action) — scan/added_lines.py
   `_additions_by_parent` (pair_patches with no pathspec): once git's combined diff runs out of memory — which one
   lock-file merge a pusher sends makes it do — every later commit of the batch is read one parent at a time, each
   merge diffed IN FULL against each parent, although only the paths that differ from every parent are kept. A merge
   with a small unrelated (or long-diverged) parent then costs main's whole tree. Measured: 20 such merges on a
   2,000 x 500-line tree, 0.15 s with --cc, 26 s after the fallback (170x); in the test below, 428,260 patch lines
   parsed for 6 merges whose own paths' per-parent patches hold 9,222 (46x). No deadline is checked inside a merge
   (_PairReader gives its patches when its last parent ends). End to end: the hook (1.5 GiB) rejects a clean push
   of the lock-file merge + 10 such merges with `tool/timeout` (the same 10 merges alone: accepted).

Tried and held (in-process, fallback forced at 128 MiB and not; every line compared with `git diff <parent> <merge>`
for each parent, intersected — 0 missing, 0 extra on every batch):
- a batch: a non-merge, the heavy merge with evil lines in files sorting before and after the lock file (the ones
  --cc printed before it died are not given twice, the rest come from the pairs), paths with a newline, a tab, a
  quote, trailing space, ` b/ x`, Latin-1 bytes; a merge of an unrelated history; a 5-parent octopus with an evil
  line; a merge turning a file into a symlink whose target is the evil text and changing a mode; a later non-merge.
- the same batch with its first commits repeated (deduplicated) and with the heavy merge last.
- the fallback really ran (spied): from the heavy merge on, 6 commits.
- review (read, not run here): an API error on the title or PR lookup raises GitHubError, which `review` turns into
  tool/github-failed + review/unverifiable (fail closed); a squash- or merge-method earlier entry stays tied to its
  own PR (`_SQUASH` reads the last `(#N)`, which GitHub appends; the merge's parents[1] must be the PR's head); a
  closed, merged or other-base #N is refused by `_queued_before`.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from gatekeeper.models import ExitCode, ReviewStatus
from gatekeeper.modes.action import ActionSettings, run_action
from gatekeeper.provenance.openpgp import ForgeKeys
from tests.github_helpers import (
    serve_reviews,
    synthetic_associated_pull,
    synthetic_pull_commit,
    synthetic_review,
    web_flow_commit,
    webhook_example,
)
from tests.hook_helpers import DANA as DANA_ID
from tests.hook_helpers import SECRETS_POLICY, seeded
from tests.repo_builder import RepoBuilder
from tests.test_action import MOBILE, POLICY, REPO, Env, gh
from tests.test_audit_review_trust import forge_key
from tests.test_wide_merges import MERGE_LINES, PARENT_LINES, _limited_push

__all__ = ["forge_key", "gh"]  # fixtures used below

ALICE = ("Alice Mobile", "alice@example.com")
DANA = ("Dana Desktop", "dana@example.com")
MALLORY = ("Mallory Phone", "mallory@example.com")
ForgeKey = tuple[dict[str, str], ForgeKeys, str]


# -- 1. merge queue (rebase method): an earlier entry's copy titled as an open approved PR's squash ---------------

@pytest.mark.parametrize("subject", ["Add the settings page (#5)", "settings: first cut (#5)"],
                         ids=["pr-title", "pr-commit-subject"])
def test_an_earlier_entrys_copy_subjected_like_another_prs_squash_is_not_judged_by_it(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder, forge_key: ForgeKey, subject: str) -> None:
    """Finding 1. Rebase-method queue on main: Mallory's PR #8 (a phone change nobody approved), then Dana's #9
    (docs, approved). In #9's run the queue's copy R8 of Mallory's commit (web-flow, GitHub's key) keeps her own
    message, whose subject she wrote as `<title of #5> (#5)` (or `<subject of a commit of #5> (#5)`): #5 is Alice's
    open PR into main, approved by Bob — its title and commits are public. `_queued_before` -> `_queue_made_for(...,
    named=False)` ties a one-parent queue-made commit to #5 by words alone (subject == title + ` (#5)`), so #5's
    approval of its head covers Mallory's change: APPROVED, exit 0. The words are the author's in a rebase-method
    queue (docs/action.md: "the authors' own messages"; an earlier entry's copy "has no PR: review/missing"). red115's
    finding 2 was this attack with a free-form subject; the fix checks the subject against #5's title, which the
    attacker reads off GitHub. Nothing GitHub wrote ties R8 to #5: #5's author is not R8's author, #5's head is not
    in the group, #5 is not even queued. Fix: a one-parent copy is a squash of #N only when its author is #N's author
    (GitHub writes the PR author as a squash's author) AND its tree is the group's parent tree plus #N's net change —
    or simply never tie a one-parent commit to a PR other than the named one (fall back to review/missing)."""
    env, keys, fpr = forge_key
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY, "app.py": "print('hi')\n", "README.md": "x\n"})
    r8 = web_flow_commit(repo, env, fpr, subject + MOBILE, {"app.py": "print('pwned')\n"}, MALLORY)
    r9 = web_flow_commit(repo, env, fpr, "docs: typo\n", {"README.md": "y\n"}, DANA)
    head9, head5 = "9" * 40, "5" * 40  # SYNTHETIC: the PRs' own branches are not in the runner's clone
    payload = webhook_example("api.github.com/merge_group/checks_requested.payload.json")
    group = payload["merge_group"]
    group["base_sha"], group["head_sha"], group["base_ref"] = base, r9, "refs/heads/main"  # SYNTHETIC
    group["head_ref"] = f"refs/heads/gh-readonly-queue/main/pr-9-{head9}"
    for sha in (r8, r9):
        httpserver.expect_request(f"/repos/{REPO}/commits/{sha}/pulls").respond_with_json([])
    serve_reviews(httpserver, 9, [synthetic_review("carol", "APPROVED", head9, rid=1)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/9/commits").respond_with_json(
        [synthetic_pull_commit(head9, login="dana", email=DANA[1], message="docs: typo\n")])
    serve_reviews(httpserver, 5, [synthetic_review("bob", "APPROVED", head5, rid=2)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/5/commits").respond_with_json(
        [synthetic_pull_commit(head5, login="alice", email=ALICE[1], message="settings: first cut\n")])
    httpserver.expect_request(f"/repos/{REPO}/pulls/5").respond_with_json(
        synthetic_associated_pull(5, base_ref="main", head_sha=head5, merged=False, author="alice",
                                  title="Add the settings page"))
    gh.event.write_text(json.dumps(payload))
    settings = ActionSettings.from_env({**gh.vars, "GITHUB_EVENT_NAME": "merge_group"})
    verdict = run_action(settings, forge_keys=keys).verdict
    assert verdict is not None
    phone = next(c for c in verdict.commits if c.commit.sha == r8)
    assert phone.signature.status.value == "good"  # premise: GitHub made it
    assert phone.review.status is not ReviewStatus.APPROVED, (
        f"Mallory's unapproved phone change passed on the approval of an unrelated PR whose title her subject copies "
        f"(exit {verdict.exit_code}): {phone.review.detail}")
    assert verdict.exit_code == ExitCode.BLOCKED


# -- 2. merge queue (rebase method): the named PR lists a merge commit, its copies are fewer -----------------------

def test_an_earlier_entrys_copy_under_a_named_pr_with_an_update_branch_merge_is_not_its_copy(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder, forge_key: ForgeKey) -> None:
    """Finding 2. red117's fix ties a rebased copy to the named PR by place: "the group's topmost commits, as many as
    the PR has" — counted as len(pulls/9/commits). But a PR's list holds its merge commits too (GitHub's "Update
    branch" button writes `Merge branch 'main' into <branch>` on the PR's branch, an everyday click), and a rebase
    writes no copy of a merge (GitHub's rebase, like `git rebase`, linearises). Dana's #9: one docs commit + one
    Update-branch merge -> 2 listed, 1 copy. The top-2 window then reaches one commit into the earlier entry:
    Mallory's #8 copy R8, directly below R9, carrying the message of #9's docs commit (public), is "#9's rebased
    copy" and #9's approval covers her phone change: APPROVED, exit 0. Secure: review/missing (docs/action.md: an
    earlier entry's copy has no PR). Fix: count only the PR's non-merge commits (parents <= 1 in pulls/N/commits),
    and tie each copy to ONE listed commit (a matched message used once, in order from the top)."""
    env, keys, fpr = forge_key
    message = "docs: typo" + MOBILE  # Dana's phone commit in #9 (approved); Mallory copies its message whole
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY, "app.py": "print('hi')\n", "README.md": "x\n"})
    r8 = web_flow_commit(repo, env, fpr, message, {"app.py": "print('pwned')\n"}, MALLORY)
    r9 = web_flow_commit(repo, env, fpr, message, {"README.md": "y\n"}, DANA)
    head9, merge9, main_then = "9" * 40, "a" * 40, "b" * 40  # SYNTHETIC: #9's own branch is not in the clone
    payload = webhook_example("api.github.com/merge_group/checks_requested.payload.json")
    group = payload["merge_group"]
    group["base_sha"], group["head_sha"], group["base_ref"] = base, r9, "refs/heads/main"  # SYNTHETIC
    group["head_ref"] = f"refs/heads/gh-readonly-queue/main/pr-9-{head9}"
    for sha in (r8, r9):
        httpserver.expect_request(f"/repos/{REPO}/commits/{sha}/pulls").respond_with_json([])
    serve_reviews(httpserver, 9, [synthetic_review("carol", "APPROVED", head9, rid=1)])
    docs = synthetic_pull_commit(merge9, login="dana", email=DANA[1], message=message)
    update = synthetic_pull_commit(head9, login="dana", email=DANA[1],
                                   message="Merge branch 'main' into dana/docs\n")
    update["parents"] = [{"sha": merge9}, {"sha": main_then}]  # SYNTHETIC: the Update-branch merge
    httpserver.expect_request(f"/repos/{REPO}/pulls/9/commits").respond_with_json([docs, update])
    gh.event.write_text(json.dumps(payload))
    settings = ActionSettings.from_env({**gh.vars, "GITHUB_EVENT_NAME": "merge_group"})
    verdict = run_action(settings, forge_keys=keys).verdict
    assert verdict is not None
    phone = next(c for c in verdict.commits if c.commit.sha == r8)
    assert phone.signature.status.value == "good"  # premise: GitHub made it
    assert phone.review.status is not ReviewStatus.APPROVED, (
        f"an earlier entry's phone commit passed as the named PR's rebased copy because the PR's Update-branch merge "
        f"widened the top window (exit {verdict.exit_code}): {phone.review.detail}")
    assert verdict.exit_code == ExitCode.BLOCKED


# -- 3. the one-parent-at-a-time fallback diffs every path against every parent ------------------------------------

def _lock(count: int, seed: int) -> str:
    """A lock-file-like text of `count` distinct lines (tests/test_scan_added_lines.py's shape)."""
    rng = random.Random(seed)
    return "".join(f'  "pkg-{rng.randrange(10**9)}": "{rng.randrange(10**6)}",\n' for _ in range(count))


def _tree_files(count: int, lines: int) -> dict[str, str]:
    return {f"src/m{i}.py": "".join(f"value_{i}_{j} = {j * 7919 % 10007}\n" for j in range(lines))
            for i in range(count)}


def _heavy_merge(repo: RepoBuilder, lock_lines: int) -> str:
    """A merge whose lock file shares no line with either parent's: git's combined diff of it needs memory quadratic
    in the lines (the shape of tests/test_scan_added_lines.py's)."""
    base = repo.head()
    repo.git("checkout", "-q", "-b", "side", base)
    repo.commit("side lock\n", {"lock.json": _lock(lock_lines, 1)})
    repo.git("checkout", "-q", "main")
    repo.commit("main lock\n", {"lock.json": _lock(lock_lines, 2)})
    repo.git("merge", "-q", "--no-commit", "-s", "ours", "side")
    repo.write("lock.json", _lock(lock_lines // 7, 3))
    repo.git("add", "lock.json")
    repo.git("commit", "-q", "-m", "merge: regenerate the lock file")
    return repo.head()


def _unrelated_merges(repo: RepoBuilder, count: int) -> list[str]:
    """`count` merges on main, each with a one-file root commit of an unrelated history as second parent and one
    new line of its own: the combined diff reads one small file of each, whatever the size of main's tree."""
    blob = repo.git("hash-object", "-w", "--stdin", input="t\n")
    tree = repo.git("mktree", input=f"100644 blob {blob}\tt.txt\n")
    root = repo.git("commit-tree", tree, "-m", "docs: import the handbook")
    made = []
    for i in range(count):
        repo.write(f"notes/n{i}.txt", f"note {i}\n")
        repo.write("t.txt", "t\n")
        repo.git("add", "-A")
        merge = repo.git("commit-tree", repo.git("write-tree"), "-p", "HEAD", "-p", root, "-m", f"merge handbook {i}")
        repo.git("reset", "-q", "--soft", merge)
        made.append(merge)
    return made


def test_the_fallback_reads_a_merge_with_a_distant_parent_for_its_own_paths_only(
        repo: RepoBuilder, monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding 3. When git's combined diff runs out of memory (one merge whose lock file shares no line with its
    parents', a few hundred KB a pusher sends), `iter_commit_additions` reads that commit and EVERY later one of the
    batch one parent at a time (`_additions_by_parent` -> `pair_patches` with no pathspec): each merge is diffed in
    full against each parent, and every line of every path that differs from ANY parent streams through the Python
    patch parser, although only the paths that differ from EVERY parent (`changed_files`, here one tiny file per
    merge) are kept. A merge whose second parent is a small unrelated history (a subtree/handbook import) then costs
    main's whole tree. Measured (2 shared cores, nice 19; 2,000 files x 500 lines on main, 20 such merges after the
    heavy one): 0.15 s with the combined diff, 26 s after the fallback (170x); 5 merges x 500 files: 0.14 s vs
    1.5 s. The push carrying them is ~8 MB of loose objects with main already on the server (the trees delta to
    nothing). No deadline is checked inside one merge (`_PairReader` gives a merge's patches when its last parent
    ends), `check` and the Action have none at all, and in the hook the watchdog then blocks a clean push on time.
    Measured here as lines git printed for the fallback vs lines the candidate paths' per-parent patches hold.
    Fix: name the candidate paths as pathspecs per merge (`<merge> <parent>` lines cannot carry them: one
    `diff-tree` per merge with <= 1000 paths, as range_additions does, or `--cc` again per merge with the cap), or
    diff only the candidates' directories."""
    import gatekeeper.scan.added_lines as added_lines
    from gatekeeper.git import Git

    repo.commit("base\n", {"lock.json": _lock(50, 0), **_tree_files(400, 200)})
    start = repo.head()
    heavy = _heavy_merge(repo, 4000)
    merges = _unrelated_merges(repo, 5)
    streamed = [0]
    original = Git.pair_patches

    def counting(self: Git, *args: object, **kwargs: object) -> object:
        for line in original(self, *args, **kwargs):  # type: ignore[arg-type]
            streamed[0] += 1
            yield line

    monkeypatch.setattr(Git, "pair_patches", counting)
    monkeypatch.setattr(added_lines, "COMBINED_DIFF_MEMORY", 128 << 20)  # the heavy merge needs ~200 MiB here
    git = Git(repo.path)
    commits = repo.git("rev-list", "--reverse", f"{start}..main").split()
    got = {(c, p.path) for c, p in added_lines.iter_commit_additions(git, commits)}
    assert (heavy, "lock.json") in got and all((m, f"notes/n{i}.txt") in got for i, m in enumerate(merges))
    assert streamed[0] > 0  # premise: the fallback ran
    needed = 0
    for merge in [heavy, *merges]:
        paths = repo.git("diff-tree", "-c", "--name-only", "-r", "--no-commit-id", merge).split("\n")
        for parent in repo.git("rev-list", "--no-walk", "--parents", merge).split()[1:]:
            needed += len(repo.git("diff", "-U0", parent, merge, "--", *paths).split("\n"))
    assert streamed[0] <= 3 * needed + 1000, (
        f"the fallback streamed {streamed[0]} patch lines through the parser for {len(merges) + 1} merges whose own "
        f"paths' per-parent patches hold {needed}")


def test_a_pushed_heavy_merge_does_not_make_later_clean_merges_cost_mains_whole_tree(tmp_path: Path) -> None:
    """Finding 3, end to end: a real push into the bare repository with the hook installed, the hook's memory held
    as tests/test_wide_merges.py holds it (PUSH_MEMORY), main on the server already (1,000 files x 400 lines, fetched in without
    the hook). The push: the lock-file merge the combined diff runs out of memory on (accepted alone, within the
    4 s budget: test_wide_merges), then 10 clean merges each importing a one-file unrelated history. Read with the
    combined diff the 10 merges cost one small file each; after the fallback each costs main's whole tree diffed
    against the one-file root and parsed in Python, and the hook's watchdog blocks the clean push on time.
    Secure: accepted, as the same merges are when pushed without the lock-file merge (control below)."""
    server, work = seeded(tmp_path, SECRETS_POLICY)
    work.commit("tree\n", _tree_files(1000, 400), author=DANA_ID, committer=DANA_ID)
    base = work.head()
    work.git("checkout", "-q", "-b", "side", base)
    work.commit("side lock\n", {"lock.json": _lock(PARENT_LINES, 1)}, author=DANA_ID, committer=DANA_ID)
    work.git("checkout", "-q", "main")
    work.commit("main lock\n", {"lock.json": _lock(PARENT_LINES, 2)}, author=DANA_ID, committer=DANA_ID)
    server.git("fetch", "-q", str(work.path), "main:main", "side:side")
    first, second = work.head(), work.git("rev-parse", "side").strip()
    tree = work.git("write-tree")
    lock = work.git("hash-object", "-w", "--stdin", input=_lock(MERGE_LINES, 3))
    listing = work.git("ls-tree", tree).replace(work.git("rev-parse", f"{first}:lock.json"), lock)
    heavy = work.git("commit-tree", work.git("mktree", input=listing + "\n"), "-p", first, "-p", second,
                     "-m", "merge: regenerate the lock file")
    work.git("reset", "-q", "--hard", heavy)
    _unrelated_merges(work, 10)
    code, output = _limited_push(server, work, "main:refs/heads/main")
    assert code == 0, output[-1500:]


def test_control_the_clean_merges_alone_are_accepted(tmp_path: Path) -> None:
    """Control for finding 3: the same 10 merges on the same main, pushed without the lock-file merge (the combined
    diff reads them): accepted within the budget."""
    server, work = seeded(tmp_path, SECRETS_POLICY)
    work.commit("tree\n", _tree_files(1000, 400), author=DANA_ID, committer=DANA_ID)
    server.git("fetch", "-q", str(work.path), "main:main")
    _unrelated_merges(work, 10)
    code, output = _limited_push(server, work, "main:refs/heads/main")
    assert code == 0, output[-1500:]
