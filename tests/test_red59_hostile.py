"""Red team red59: the zone check of merges through git's re-merge (Diffs.merge_resolutions, engine.merge_resolutions,
ZoneCheck), judged on real histories (git-lfs, runc, aider) and reproduced here.

The finding: Diffs.merge_resolutions re-merges EVERY merge of a batch in ONE `git log --no-walk=unsorted
--remerge-diff` process. After git log shows a commit it frees that commit's parent list (builtin/log.c,
cmd_log_walk: `free_commit_list(commit->parents); commit->parents = NULL`, the object staying "parsed"). When a
later merge of the same batch descends from an earlier one, git's merge-base walk for the later merge stops at the
earlier one as if it were a root commit: it finds an older merge base, or none, re-merges against that and reports
paths the merge never resolved (and, with the right history, hides a path it did resolve). The answer for a merge
depends on which other merges share its batch and in what order. The hook passes the pushed commits oldest first
(engine: rev_list(..., oldest_first=True)): ancestors before descendants, the worst order. Measured: re-merging
the merges of git-lfs / runc / aider in oldest-first batches of 50 (as a push of a branch with many merges would)
gave a different answer than one merge at a time for 1427/2528, 1791/3069 and 401/677 merges (28,933 / 54,312 /
6,960 extra paths), and for runc's f4cf808 lost 3 paths the merge really resolved. The audit (newest-first windows)
hit it once on git-lfs (3553cce66e: 7 zone entries for a merge identical to git's own re-merge).

Each test FAILS on the code at the time of writing, for the reason its docstring names, and asserts the correct
behaviour. Real repositories, real pushes into a bare repository with the installed hook.
"""

from __future__ import annotations

from pathlib import Path

from tests.hook_helpers import make_server, spush
from tests.test_red50_hostile import AI_ZONE_SERVER_POLICY, COPILOT
from tests.test_red57_hostile import _ENV, V1, V2


def _two_agent_merges(tmp_path: Path):  # type: ignore[no-untyped-def]
    """main: pay/c.py v1, `feature` forked there (docs commit, on the server), then main's human fix to v2 (pushed).
    Locally, an agent (Co-authored-by: Copilot) merges `feature` into main, feature gets another docs commit, and the
    agent merges it again. Both merges are clean and touch no zone path. (server, work, main's fixed tip)."""
    server = make_server(tmp_path / "srv", policy=AI_ZONE_SERVER_POLICY)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"})
    work.commit("pay: v1\n", {"pay/c.py": V1})
    work.branch("feature")
    work.checkout("feature")
    work.commit("docs: one\n", {"docs/one.md": "one\n"})
    work.checkout("main")
    assert spush(server, work, "origin", "main", "feature").code == 0
    fixed = work.commit("pay: refuse negative amounts\n", {"pay/c.py": V2})
    assert spush(server, work, "origin", "main").code == 0
    work.git("merge", "-q", "--no-ff", "-m", "Merge branch 'feature'\n\n" + COPILOT, "feature", env=_ENV)
    work.checkout("feature")
    work.commit("docs: two\n", {"docs/two.md": "two\n"})
    work.checkout("main")
    work.git("merge", "-q", "--no-ff", "-m", "Merge branch 'feature' again\n\n" + COPILOT, "feature", env=_ENV)
    assert work.git("show", "HEAD:pay/c.py") == V2.rstrip("\n")
    # Plain git, one merge at a time: git's own re-merge of each equals the merge (nothing resolved).
    for merge in ("HEAD", "HEAD^"):
        assert work.git("show", "--remerge-diff", "--format=", "--name-only", merge) == "", merge
    return server, work, fixed


def test_two_clean_agent_merges_in_one_push_are_not_a_zone_change(tmp_path: Path) -> None:
    """What happens: an agent lands a feature branch (docs only) on main twice in one push — two clean merges, git's
    own re-merge of each (`git show --remerge-diff`, one at a time) is empty; pay/c.py (`ai: block` zone) is exactly
    main's. ZoneCheck._resolutions asks engine.merge_resolutions -> Diffs.merge_resolutions
    (gatekeeper/git/diff.py `merge_resolutions`) for both merges in ONE `git log --no-walk=unsorted --remerge-diff`,
    oldest first (the hook's order). git frees the first merge's parent list after showing it, so the second merge's
    merge-base walk stops there: no merge base is found, git re-merges against the empty tree, pay/c.py (v2 on main,
    v1 on the feature side) becomes an add/add conflict, and the merge "differs from git's re-merge" at pay/c.py.
    The push is refused with policy/zone-violation on a path nobody changed.

    Severity medium: a false block on an everyday flow (an agent updating or landing a branch more than once per
    push; any two mobile/AI/unmanaged merges where one descends from the other), and the audit reports the same kind
    of phantom entries (git-lfs 3553cce66e). The wrong base can also hide a real resolution (next test).

    Correct behaviour: accepted. Fix: re-merge each merge in its own git process (or `git merge-tree --write-tree`
    per merge, `--stdin` on git >= 2.40 computes bases per line), or feed the batch newest first and check that no
    merge of the batch is an ancestor of a later one."""
    server, work, fixed = _two_agent_merges(tmp_path)
    result = spush(server, work, "origin", "main")
    assert "policy/zone-violation" not in result.remote_text, result.remote_text
    assert result.code == 0 and server.tip() == work.head(), result.output


def test_an_agent_merge_reverting_the_zone_fix_is_hidden_by_an_earlier_agent_merge_in_the_push(tmp_path: Path) -> None:
    """What happens (false negative): main holds pay/c.py v2 from the start; a human reverts it to v1 (R), `side`
    forks at R (docs), and a human re-applies the fix, v2 (F); all on the server. The push: an agent merge M1 of a
    docs branch into main (clean), a human merge H of a branch `g` forked at the FIRST commit (docs), then the agent
    (Co-authored-by: Copilot) merges `side` into main resolving pay/c.py to side's v1 — reverting the fix in the
    `ai: block` zone. git's re-merge of that merge alone (merge base R, where pay/c.py is v1) gives v2: the merge
    differs at pay/c.py, red53's rule. But Diffs.merge_resolutions re-merges M1 and the revert in one `git log`
    process, M1 first (oldest first): M1's parents are freed, the revert's merge-base walk from main stops at M1 and
    only reaches the first commit through H/g, so git takes the first commit (pay/c.py v2) as the base; side changed
    v2 -> v1 since then, so the automatic merge IS v1, the same as the agent's merge: no resolution. The combined diff
    does not list pay/c.py either (equal to the side parent). Accepted: main's fix reverted by an agent's merge.

    Severity high: red53/57/58's zone rule for merges is skipped by putting one more agent merge in the push and a
    merge from an old branch; the history shape (a fix reverted and re-applied on main) is common.

    Correct behaviour: refused with policy/zone-violation on pay/c.py. Fix as above: one re-merge per merge
    (correct merge bases), never a batch where a merge's ancestor was shown first."""
    server = make_server(tmp_path / "srv", policy=AI_ZONE_SERVER_POLICY)
    work = server.clone()
    first = work.commit("Initial commit\n", {"README.md": "hello\n", "pay/c.py": V2})
    work.commit("pay: revert the check for now\n", {"pay/c.py": V1})
    for name, start in (("side", "HEAD"), ("g", first), ("d", "HEAD")):
        work.branch(name, start)
        work.checkout(name)
        work.commit(f"docs: {name}\n", {f"docs/{name}.md": f"{name}\n"})
        work.checkout("main")
    fixed = work.commit("pay: refuse negative amounts again\n", {"pay/c.py": V2})
    assert spush(server, work, "origin", "main", "side", "g", "d").code == 0
    work.git("merge", "-q", "--no-ff", "-m", "Merge branch 'd'\n\n" + COPILOT, "d", env=_ENV)
    work.git("merge", "-q", "--no-ff", "-m", "Merge branch 'g'", "g", env=_ENV)
    work.git("merge", "-q", "--no-ff", "--no-commit", "-s", "ours", "side")
    work.git("checkout", "side", "--", "pay/c.py", "docs/side.md")
    work.git("commit", "-q", "-m", "Merge branch 'side'\n\n" + COPILOT, env=_ENV)
    revert = work.head()
    assert work.git("show", "HEAD:pay/c.py") == V1.rstrip("\n")
    # Plain git, this merge alone: it differs from git's own re-merge at pay/c.py.
    assert work.git("show", "--remerge-diff", "--format=", "--name-only", revert) == "pay/c.py"
    result = spush(server, work, "origin", "main")
    assert server.tip() == fixed, f"the agent's merge {revert[:12]} reverted pay/c.py on main:\n{result.remote_text}"
    assert "policy/zone-violation" in result.remote_text, result.remote_text
