"""Red team red161: the pre-receive door's ref updates and the GitHub Action's event payloads, attacked as a hostile
pusher or pull-request author who wants an unreviewed phone commit, or a real key, where the gate should stop it;
and red160's misread-tree check, for shapes it might not reach.

Real `git push`es into a bare repository with the hook installed (tests/hook_helpers.py); what a clone writes was
checked with git itself (`git archive <tag> | tar -x`, `git checkout <tag> -- .`: the key in plain ASCII). Keys are
built at run time.

Found and fixed (each test below failed before its fix on branch red161):
1. HIGH (miss) — a tree a tag names (`git push origin <tree>:refs/tags/snapshot`) is scanned blob by blob
   (engine.loose_content, SecretsScanner.scan_blobs), but without the tree's own `.gitattributes`: `*.env
   working-tree-encoding=IBM037` beside a `prod.env` whose blob is the key read as cp037 was accepted, and every
   clone fetches the tag; `git archive snapshot` and `git checkout snapshot -- .` write `aws_access_key_id = AKIA…`
   (red30's attack, outside any commit). Now the loose tree's files are also read as a checkout writes them (git's
   own check-attr on the tree), an encoding gatekeeper cannot write blocks.
2. HIGH (miss) — red160's shapes in a tree a ref names: `.gitattributes` twice (harmless first, IBM037 second) —
   git's lookup reads the first, `git archive` writes the last. The misread check ran over commits only; now a
   loose tree and every tree beneath it is checked too (Diffs.misread_tree), `scan/unreadable`, enforced.

3. MEDIUM (miss, Action) — a push event creating a protected branch (`release/1`, before all zeros) counted only the
   commits since the fork point from the remote's HEAD or main/master, whatever protects that branch. In git-flow
   (`develop` the default branch, unprotected; `release/*` protected) a phone commit pushed straight to `develop`
   and then `release/1` created at it (with a later `develop` commit, so the remote HEAD's tip is not the head):
   fork point = the phone commit itself, 0 commits judged, exit 0 (and, with an attest key, a signed attestation).
   Now the fork point is taken only from a branch the policy protects and GitHub does not call unprotected
   (checkout.fork_point `keep`), the pre-receive door's "what no other protected ref reaches": the policy at the fork
   is the pushed branch's own, and a pusher of `develop` can commit one that calls `develop` protected.

Held (attacked, no bypass; kept as tests where cheap; the rest in docs/performance.md's red161 section):
- a phone commit parked on an unprotected branch, then tagged (annotated, a tag of a tag), then `main` fast-forwarded
  to it in a push that brings no commit and deletes the branch and the tag in the same push: judged under main's
  review rule (collect_commits: `new ^old` of a protected branch, whatever the push brings).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from pytest_httpserver import HTTPServer

from gatekeeper.models import ExitCode
from gatekeeper.modes.action import ActionSettings, run_action
from tests.hook_helpers import AWS_KEY, KEY_LINE, MO, MOBILE, SECRETS_POLICY, TEST_POLICY, rejected, seeded, spush
from tests.repo_builder import RepoBuilder
from tests.test_action import ALICE, POLICY, REPO, Env, push_payload
from tests.test_action import gh as gh  # the fixture

EBCDIC_KEY_LINE = KEY_LINE.encode("ascii").decode("cp037").encode("utf-8")  # the blob git converts on checkout
NAMING = b"*.env working-tree-encoding=IBM037\n"
# The hook's budget at its most (GHES kills hooks after 5 s) for the loose-tree pushes (a read-tree and check-attr per tree
# besides the scan): these tests judge what is found, not how fast (at a load of 8-10 on two cores 4 s ran out).
LOOSE_POLICY = SECRETS_POLICY.replace("budget_seconds: 4.0, scanners: [secrets]", "budget_seconds: 4.5, scanners: [secrets]")
assert LOOSE_POLICY != SECRETS_POLICY


def _tree(work, entries: list[tuple[str, str, str, str]]) -> str:  # type: ignore[no-untyped-def]
    return work.git("mktree", input="".join(f"{mode} {kind} {sha}\t{name}\n" for mode, kind, sha, name in entries))


def _blob(work, data: bytes) -> str:  # type: ignore[no-untyped-def]
    return work.git("hash-object", "-w", "--stdin", input=data)


def test_a_tagged_tree_whose_checkout_writes_a_key_is_refused(tmp_path: Path) -> None:
    """Finding 1: a tree named by a tag, with `.gitattributes` naming IBM037 for `*.env`."""
    server, work = seeded(tmp_path, LOOSE_POLICY)
    tree = _tree(work, [("100644", "blob", _blob(work, NAMING), ".gitattributes"),
                        ("100644", "blob", _blob(work, EBCDIC_KEY_LINE), "prod.env")])
    outer = _tree(work, [("040000", "tree", tree, "deploy")])
    for target, ref in ((tree, "refs/tags/snapshot"), (outer, "refs/backup/deploy")):
        result = spush(server, work, "origin", f"{target}:{ref}")
        rejected(result, "secrets/aws-access-key", "working-tree-encoding=IBM037")
        assert server.tip(ref) is None
    # An annotated tag of the tree, too.
    work.git("tag", "-a", "-m", "snapshot", "snap2", tree)
    rejected(spush(server, work, "origin", "refs/tags/snap2"), "secrets/aws-access-key")
    # The same tree with a harmless file under the attribute is accepted: nothing else changed.
    harmless = _tree(work, [("100644", "blob", _blob(work, NAMING), ".gitattributes"),
                            ("100644", "blob", _blob(work, "région = eu\n".encode()), "prod.env")])
    assert spush(server, work, "origin", f"{harmless}:refs/tags/snapshot").code == 0


def test_a_tagged_tree_under_an_encoding_gatekeeper_cannot_write_is_refused(tmp_path: Path) -> None:
    """Finding 1: under UTF-7 (iconv and Python disagree) what a checkout writes is not computed: it blocks."""
    server, work = seeded(tmp_path, LOOSE_POLICY)
    tree = _tree(work, [("100644", "blob", _blob(work, b"*.env working-tree-encoding=UTF-7\n"), ".gitattributes"),
                        ("100644", "blob", _blob(work, b"region = eu\n"), "prod.env")])
    rejected(spush(server, work, "origin", f"{tree}:refs/tags/snapshot"), "scan/working-tree-encoding", "UTF-7")


def test_a_tagged_tree_git_reads_two_ways_is_refused(tmp_path: Path) -> None:
    """Finding 2: `.gitattributes` twice in a tree a tag names — `*.md text` first (what git's lookup reads, so the
    scan reads prod.env as its blob), IBM037 second (what `git archive` writes)."""
    server, work = seeded(tmp_path, LOOSE_POLICY)
    inner = _tree(work, [("100644", "blob", _blob(work, b"*.md text\n"), ".gitattributes"),
                         ("100644", "blob", _blob(work, NAMING), ".gitattributes"),
                         ("100644", "blob", _blob(work, EBCDIC_KEY_LINE), "prod.env")])
    tree = _tree(work, [("040000", "tree", inner, "deploy")])
    result = spush(server, work, "origin", f"{tree}:refs/tags/snapshot")
    rejected(result, "scan/unreadable", "deploy/.gitattributes")
    assert server.tip("refs/tags/snapshot") is None


def test_a_parked_phone_commit_fast_forwarded_onto_main_through_tags_and_deletions_needs_review(tmp_path: Path) -> None:
    """Held: park, tag twice, then move main to it deleting the branch and the tag in the same push."""
    server, work = seeded(tmp_path, TEST_POLICY)
    phone = work.commit("phone fix" + MOBILE, {"a.txt": "x\n"}, author=MO, committer=MO)
    assert spush(server, work, "origin", f"{phone}:refs/heads/feature").code == 0
    work.git("tag", "-a", "-m", "inner", "t1", phone)
    work.git("tag", "-a", "-m", "outer", "t2", "t1")
    assert spush(server, work, "origin", "refs/tags/t2").code == 0
    result = spush(server, work, "origin", f"{phone}:refs/heads/main", ":refs/heads/feature", ":refs/tags/t2")
    rejected(result, "review/")
    assert server.tip() != phone
    assert AWS_KEY not in result.output


FLOW = POLICY.replace('protected_refs: ["refs/heads/main"]',
                      'protected_refs: ["refs/heads/main", "refs/heads/release/*"]')


def _serve_branches(httpserver: HTTPServer, protected: dict[str, bool]) -> None:
    """GitHub's word on each branch (`branches/{name}`: the server matches the decoded path, so `release/1`, not
    `release%2F1`), and no pull request for any commit (an unanswered call is retried with back-off: 40 s a test)."""
    for name, guarded in protected.items():
        httpserver.expect_request(f"/repos/{REPO}/branches/{name}").respond_with_json(
            {"name": name, "protected": guarded})
    httpserver.expect_request(re.compile(rf"/repos/{REPO}/commits/[0-9a-f]{{40}}/pulls")).respond_with_json([])


def test_a_protected_branch_created_at_a_phone_commit_of_an_unprotected_default_branch_is_judged(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    """Finding 3: git-flow — `develop` (default, unprotected) holds a phone commit and a later one; `release/1` is
    created at the phone commit. The remote HEAD names `develop`."""
    base = repo.commit("base\n", {".gatekeeper.yml": FLOW})
    repo.git("update-ref", "refs/remotes/origin/main", base)
    phone = repo.commit("phone: fix" + MOBILE, {"c.py": "C = 1\n"}, author=ALICE, committer=ALICE)
    later = repo.commit("docs\n", {"d.md": "x\n"})
    repo.git("update-ref", "refs/remotes/origin/develop", later)
    repo.git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/develop")
    _serve_branches(httpserver, {"release/1": True, "main": True})
    payload = push_payload("0" * 40, phone, ref="refs/heads/release/1", created=True)
    payload["repository"]["default_branch"] = "develop"
    gh.event.write_text(json.dumps(payload))
    verdict = run_action(ActionSettings.from_env({**gh.vars, "GITHUB_EVENT_NAME": "push"})).verdict
    assert verdict is not None
    assert [c.commit.sha for c in verdict.commits] == [phone], verdict.range_description
    assert verdict.exit_code == ExitCode.BLOCKED
    assert base[:12] in verdict.range_description


def test_a_policy_on_the_unprotected_default_branch_calling_it_protected_does_not_move_the_fork_point(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    """Finding 3, the pusher also writes the policy on `develop` (before the phone commit) to call `develop`
    protected: GitHub's answer that `develop` is not protected overrules it."""
    base = repo.commit("base\n", {".gatekeeper.yml": FLOW})
    repo.git("update-ref", "refs/remotes/origin/main", base)
    repo.commit("policy\n", {".gatekeeper.yml": FLOW.replace('"refs/heads/release/*"',
                                                              '"refs/heads/release/*", "refs/heads/develop"')})
    phone = repo.commit("phone: fix" + MOBILE, {"c.py": "C = 1\n"}, author=ALICE, committer=ALICE)
    later = repo.commit("docs\n", {"d.md": "x\n"})
    repo.git("update-ref", "refs/remotes/origin/develop", later)
    repo.git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/develop")
    _serve_branches(httpserver, {"release/1": True, "develop": False, "main": True})
    payload = push_payload("0" * 40, phone, ref="refs/heads/release/1", created=True)
    payload["repository"]["default_branch"] = "develop"
    gh.event.write_text(json.dumps(payload))
    verdict = run_action(ActionSettings.from_env({**gh.vars, "GITHUB_EVENT_NAME": "push"})).verdict
    assert verdict is not None
    assert phone in [c.commit.sha for c in verdict.commits], verdict.range_description
    assert verdict.exit_code == ExitCode.BLOCKED
