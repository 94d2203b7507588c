"""The branch that supplies the trusted policy is protected by the gate itself (issue 9, item 18's class:
"the policy ref is trusted, the pusher is not").

pre-receive reads the policy from the default branch (HEAD, or the single fallback when HEAD dangles) as it
was before the push. A pusher who could delete, rewind or replace that branch, create the branch a dangling
HEAD names, or make the default ambiguous would choose the policy that judges every later push. Real
pushes into a bare repository with the hook installed; the policy lives in the repository.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hook_helpers import MO, MOBILE, TEST_POLICY, PushResult, Server, make_server, spush
from tests.repo_builder import RepoBuilder

DANA = ("Dana Developer", "dana@example.com")
WEAK = TEST_POLICY.replace('protected_refs: ["refs/heads/main", "refs/heads/release/*"]', "protected_refs: []")


def rejected(result: PushResult, *needles: str) -> None:
    assert result.code != 0, result.output
    for needle in needles:
        assert needle in result.output, result.output


def phone_commit(work: RepoBuilder) -> str:
    return work.commit("from the phone" + MOBILE, {"p.txt": "p\n"}, author=MO, committer=MO)


def repo_policy(tmp_path: Path) -> tuple[Server, RepoBuilder]:
    server = make_server(tmp_path / "srv", server_side_policy=False)
    work = server.clone()
    work.commit("Add the policy\n", {".gatekeeper.yml": TEST_POLICY}, author=DANA, committer=DANA)
    assert spush(server, work, "origin", "main").code == 0
    return server, work


def develop_server(tmp_path: Path, target: str = "refs/heads/main") -> tuple[Server, RepoBuilder, str]:
    """HEAD names `develop`, which the policy does not protect; `target` is a protected branch."""
    server = make_server(tmp_path / "srv", server_side_policy=False)
    work = server.clone()
    work.commit("Add the policy\n", {".gatekeeper.yml": TEST_POLICY}, author=DANA, committer=DANA)
    server.git("symbolic-ref", "HEAD", "refs/heads/develop")
    assert spush(server, work, "origin", "HEAD:refs/heads/develop").code == 0
    assert spush(server, work, "origin", f"HEAD:{target}").code == 0
    server.git("config", "receive.denyDeleteCurrent", "ignore")
    return server, work, work.head()


def mobile_is_still_judged_by_the_strong_policy(server: Server, work: RepoBuilder, base: str,
                                                target: str = "refs/heads/main") -> None:
    work.git("checkout", "-q", "-B", "x", base)
    mobile = phone_commit(work)
    rejected(spush(server, work, "origin", f"HEAD:{target}"), f"review/missing {mobile[:12]}")
    assert server.tip(target) == base


# -- the adversarial review's open attacks (tests/test_adversarial_open.py, 2026-12-02) ---------------------

def test_dangling_head_branch_created_with_a_weak_policy_does_not_govern_main(tmp_path: Path) -> None:
    server, work = repo_policy(tmp_path)
    server.git("symbolic-ref", "HEAD", "refs/heads/master")
    base = work.head()
    work.git("checkout", "-q", "-B", "master", base)
    work.commit("relax\n", {".gatekeeper.yml": WEAK}, author=DANA, committer=DANA)
    created = spush(server, work, "origin", "master")
    rejected(created, "policy/source-switch", "refs/heads/master would supply the gate's policy instead of "
             "refs/heads/main", "git symbolic-ref HEAD refs/heads/main")
    assert server.tip("refs/heads/master") is None
    work.git("checkout", "-q", "main")
    phone_commit(work)
    assert spush(server, work, "origin", "main").code != 0
    assert server.tip() == base


@pytest.mark.parametrize("with_main", [True, False])
def test_unprotected_policy_branch_cannot_be_deleted_and_recreated_with_a_weak_policy(tmp_path: Path,
                                                                                      with_main: bool) -> None:
    target = "refs/heads/main" if with_main else "refs/heads/release/1"
    server, work, base = develop_server(tmp_path, target)
    deleted = spush(server, work, "origin", ":refs/heads/develop")
    rejected(deleted, "policy/ref-deletion", "refs/heads/develop, the branch the gate's policy is read from")
    assert server.tip("refs/heads/develop") == base
    work.git("checkout", "-q", "-B", "develop", base)
    work.commit("relax\n", {".gatekeeper.yml": WEAK}, author=DANA, committer=DANA)
    rejected(spush(server, work, "origin", "+HEAD:refs/heads/develop"), "policy/changed")
    mobile_is_still_judged_by_the_strong_policy(server, work, base, target)


# -- equivalent paths -------------------------------------------------------------------------------------

def test_creating_the_dangling_head_branch_is_refused_even_with_the_same_policy(tmp_path: Path) -> None:
    """The switch itself is the administrator's: once master supplied the policy, its history is what counts."""
    server, work = repo_policy(tmp_path)
    server.git("symbolic-ref", "HEAD", "refs/heads/master")
    rejected(spush(server, work, "origin", "main:refs/heads/master"), "policy/source-switch")
    # The fix the message names works: HEAD at main, and master is an ordinary branch.
    server.git("symbolic-ref", "HEAD", "refs/heads/main")
    assert spush(server, work, "origin", "main:refs/heads/master").code == 0


def test_deleting_the_fallback_branch_of_a_dangling_head_is_refused(tmp_path: Path) -> None:
    """HEAD dangles and main supplies the policy; main is protected too, but `allow_delete: true` must not
    let a pusher leave the repository policy-less."""
    server = make_server(tmp_path / "srv", server_side_policy=False)
    work = server.clone()
    lax = TEST_POLICY.replace("defer: []}", "defer: [], allow_delete: true}")
    work.commit("Add the policy\n", {".gatekeeper.yml": lax}, author=DANA, committer=DANA)
    assert spush(server, work, "origin", "main").code == 0
    assert spush(server, work, "origin", "main:refs/heads/topic").code == 0
    server.git("symbolic-ref", "HEAD", "refs/heads/master")
    server.git("config", "receive.denyDeleteCurrent", "ignore")
    rejected(spush(server, work, "origin", ":refs/heads/main"), "policy/ref-deletion",
             "refs/heads/main, the branch the gate's policy is read from")
    assert server.tip() == work.head()


def test_rename_by_delete_and_create_in_one_push_is_refused(tmp_path: Path) -> None:
    server, work, base = develop_server(tmp_path)
    work.git("checkout", "-q", "-B", "trunk", base)
    work.commit("relax\n", {".gatekeeper.yml": WEAK}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", ":refs/heads/develop", "HEAD:refs/heads/trunk")
    rejected(result, "policy/ref-deletion")
    assert server.tip("refs/heads/develop") == base
    assert server.tip("refs/heads/trunk") is None


def test_force_push_to_the_unprotected_policy_branch_is_refused(tmp_path: Path) -> None:
    server, work, base = develop_server(tmp_path)
    work.git("checkout", "-q", "-B", "develop", base)
    work.commit("next\n", {"n.txt": "n\n"}, author=DANA, committer=DANA)
    assert spush(server, work, "origin", "HEAD:refs/heads/develop").code == 0
    tip = work.head()
    work.git("reset", "-q", "--hard", base)
    work.commit("other\n", {"o.txt": "o\n"}, author=DANA, committer=DANA)
    rejected(spush(server, work, "origin", "+HEAD:refs/heads/develop"), "policy/force-push",
             "the branch the gate's policy is read from")
    assert server.tip("refs/heads/develop") == tip


def test_force_push_through_a_symref_alias_of_the_policy_branch_is_refused(tmp_path: Path) -> None:
    server, work, base = develop_server(tmp_path)
    server.git("symbolic-ref", "refs/heads/dev", "refs/heads/develop")
    work.git("fetch", "-q", "origin")
    work.git("checkout", "-q", "-B", "y", base)
    work.commit("relax\n", {".gatekeeper.yml": WEAK}, author=DANA, committer=DANA)
    rejected(spush(server, work, "origin", "+HEAD:refs/heads/dev"), "policy/changed")
    assert server.tip("refs/heads/develop") == base
    mobile_is_still_judged_by_the_strong_policy(server, work, base)


@pytest.mark.parametrize("decoy", ["refs/tags/refs/heads/master", "refs/heads/refs/heads/master",
                                   "refs/tags/master"])
def test_a_ref_named_like_the_dangling_head_branch_is_not_the_policy_source(tmp_path: Path, decoy: str) -> None:
    """rev-parse would take `refs/tags/refs/heads/master` for a missing `refs/heads/master`: the policy
    source is found by exact branch names, never by rev-parse's guessing."""
    server, work = repo_policy(tmp_path)
    server.git("symbolic-ref", "HEAD", "refs/heads/master")
    base = work.head()
    work.git("checkout", "-q", "-B", "weak", base)
    work.commit("relax\n", {".gatekeeper.yml": WEAK}, author=DANA, committer=DANA)
    spush(server, work, "origin", f"HEAD:{decoy}")  # accepted or not: it must not become the policy source
    work.git("checkout", "-q", "main")
    mobile = phone_commit(work)
    rejected(spush(server, work, "origin", "main"), f"review/missing {mobile[:12]}")
    assert server.tip() == base


def test_creating_a_second_candidate_cannot_make_the_default_ambiguous(tmp_path: Path) -> None:
    """HEAD names a missing `trunk`; main is the single candidate. Creating master would leave no single
    default branch, and every later push would fail: refused before it lands."""
    server, work = repo_policy(tmp_path)
    server.git("symbolic-ref", "HEAD", "refs/heads/trunk")
    rejected(spush(server, work, "origin", "main:refs/heads/master"), "policy/source-switch",
             "no single branch would supply the gate's policy")
    assert server.tip("refs/heads/master") is None
    work.commit("desktop\n", {"d.txt": "d\n"}, author=DANA, committer=DANA)
    assert spush(server, work, "origin", "main").code == 0


def test_creating_the_head_branch_cannot_settle_an_ambiguous_default_with_any_policy(tmp_path: Path) -> None:
    """main and master both hold a policy and HEAD names a missing `trunk`: every push is refused until an
    administrator settles it — creating trunk (with a weak policy) must not settle it for them."""
    server, work = repo_policy(tmp_path)
    assert spush(server, work, "origin", "main:refs/heads/master").code == 0
    server.git("symbolic-ref", "HEAD", "refs/heads/trunk")
    work.git("checkout", "-q", "-B", "trunk")
    work.commit("relax\n", {".gatekeeper.yml": WEAK}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "trunk")
    rejected(result, "HEAD names refs/heads/trunk, which does not exist", "git symbolic-ref HEAD refs/heads/main")
    assert server.tip("refs/heads/trunk") is None


@pytest.mark.parametrize("dangling", [False, True])
def test_a_pusher_cannot_move_the_servers_head(tmp_path: Path, dangling: bool) -> None:
    """Plain git has no way to push HEAD itself: `git push origin x:HEAD` names refs/heads/HEAD (an
    ordinary, unprotected branch), the server's HEAD is unchanged, and that branch never supplies the
    policy — not even while HEAD dangles (rev-parse would read a dangling HEAD as refs/heads/HEAD)."""
    server, work = repo_policy(tmp_path)
    base = work.head()
    if dangling:
        server.git("symbolic-ref", "HEAD", "refs/heads/master")
    head = server.git("symbolic-ref", "HEAD")
    work.git("checkout", "-q", "-B", "weak")
    work.commit("relax\n", {".gatekeeper.yml": WEAK}, author=DANA, committer=DANA)
    for spec in ("HEAD:HEAD", "HEAD:refs/heads/HEAD"):
        spush(server, work, "origin", spec)
        assert server.git("symbolic-ref", "HEAD") == head
    mobile_is_still_judged_by_the_strong_policy(server, work, base)


def test_ordinary_pushes_to_the_policy_branch_still_pass(tmp_path: Path) -> None:
    server, work, base = develop_server(tmp_path)
    work.git("checkout", "-q", "-B", "develop", base)
    work.commit("feature\n", {"f.txt": "f\n"}, author=DANA, committer=DANA)
    assert spush(server, work, "origin", "HEAD:refs/heads/develop").code == 0
    assert spush(server, work, "origin", "HEAD:refs/heads/topic").code == 0
    assert spush(server, work, "origin", ":refs/heads/topic").code == 0
