"""pre-receive: every ref a push moves is judged on the real objects (issue 9: refs and objects).

Replace refs, symbolic-ref aliases, refs to blobs and trees, protected tags, broken notes refs, a
dangling HEAD, and origin known only at push time. Real `git push` into a bare repository with the
installed hook; substitutions the server already holds are made with `git update-ref` in the bare
repository, as an attacker's earlier push (or an administrator's mistake) would have left them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hook_helpers import MO, MOBILE, TEST_POLICY, Server, make_server, seed, spush
from tests.repo_builder import RepoBuilder

AWS_KEY = "AKIA" + "Z7QH4M2XKJ5RTW3P"  # split so this file does not itself look like a key
DANA = ("Dana Developer", "dana@example.com")

SECRETS_POLICY = TEST_POLICY.replace(
    "default: {scanners: [], block_at: critical}", "default: {scanners: [secrets], block_at: high}").replace(
    "mobile: {scanners: [], block_at: high,", "mobile: {scanners: [secrets], block_at: high,").replace(
    "pre_receive: {budget_seconds: 4.0, scanners: [], defer: []}",
    "pre_receive: {budget_seconds: 4.0, scanners: [secrets], defer: []}")


def seeded(tmp_path: Path, policy: str = TEST_POLICY, **kwargs: bool) -> tuple[Server, RepoBuilder]:
    server = make_server(tmp_path / "srv", policy=policy, **kwargs)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"}, author=DANA, committer=DANA)
    seed(server, work)
    return server, work


def rejected(result: object, *needles: str) -> None:
    code, output = result.code, result.output  # type: ignore[attr-defined]
    assert code != 0, output
    for needle in needles:
        assert needle in output, output


# -- 1. replace refs --------------------------------------------------------------------------------

def test_pushing_a_replace_ref_is_refused_by_default(tmp_path: Path) -> None:
    server, work = seeded(tmp_path)
    base = work.head()
    decoy = work.commit("harmless\n", {"a.txt": "a\n"}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", f"{decoy}:refs/replace/{base}")
    rejected(result, "policy/replace-ref", "pre_receive.allow_replace_refs")
    assert server.tip(f"refs/replace/{base}") is None


def test_replace_refs_allowed_by_policy_still_do_not_fool_the_gate(tmp_path: Path) -> None:
    policy = TEST_POLICY.replace("defer: []}", "defer: [], allow_replace_refs: true}")
    server, work = seeded(tmp_path, policy)
    base = work.head()
    # The real commit is mobile; the decoy, pushed first as its replacement, is a desktop commit.
    work.branch("real")
    work.checkout("real")
    real = work.commit("feature" + MOBILE, {"f.txt": "f\n"}, author=MO, committer=MO)
    work.checkout("main")
    decoy = work.commit("feature\n", {"f.txt": "f\n"}, author=DANA, committer=DANA)
    work.git("reset", "-q", "--hard", base)
    assert spush(server, work, "origin", f"{decoy}:refs/replace/{real}").code == 0
    result = spush(server, work, "origin", f"{real}:refs/heads/main")
    rejected(result, f"review/missing {real[:12]}")
    assert server.tip() == base


def test_a_replaced_commit_is_judged_as_itself(tmp_path: Path) -> None:
    server, work = seeded(tmp_path)
    base = work.head()
    decoy = work.commit("feature\n", {"f.txt": "f\n"}, author=DANA, committer=DANA)
    assert spush(server, work, "origin", f"{decoy}:refs/heads/topic").code == 0
    work.git("reset", "-q", "--hard", base)
    real = work.commit("feature" + MOBILE, {"f.txt": "f\n"}, author=MO, committer=MO)
    server.git("update-ref", f"refs/replace/{real}", decoy)
    result = spush(server, work, "origin", "main")
    rejected(result, f"review/missing {real[:12]}")
    assert server.tip() == base


def test_a_replaced_blob_does_not_hide_a_key(tmp_path: Path) -> None:
    server, work = seeded(tmp_path, SECRETS_POLICY)
    clean = work.git("hash-object", "-w", "--stdin", input="KEY = 'placeholder'\n")
    assert spush(server, work, "origin", "main").code == 0
    work.commit("add config\n", {"config.py": f"KEY = '{AWS_KEY}'\n"}, author=DANA, committer=DANA)
    keyed = work.git("rev-parse", "HEAD:config.py")
    # The clean blob reaches the server in a commit of its own (on a topic branch).
    work.branch("carrier")
    work.checkout("carrier")
    work.git("reset", "-q", "--hard", "HEAD~1")
    work.commit("carrier\n", {"config.py": "KEY = 'placeholder'\n"}, author=DANA, committer=DANA)
    assert work.git("rev-parse", "HEAD:config.py") == clean
    assert spush(server, work, "origin", "carrier").code == 0
    work.checkout("main")
    server.git("update-ref", f"refs/replace/{keyed}", clean)
    result = spush(server, work, "origin", "main")
    rejected(result, "secrets/aws-access-key", "config.py:1")


def test_a_replaced_tip_does_not_make_a_force_push_fast_forward(tmp_path: Path) -> None:
    server, work = seeded(tmp_path)
    base = work.head()
    ahead = work.commit("on main\n", {"m.txt": "m\n"}, author=DANA, committer=DANA)
    assert spush(server, work, "origin", "main").code == 0
    # A descendant of main's tip, pushed as a decoy for the rewritten history.
    decoy = work.commit("decoy\n", {"d.txt": "d\n"}, author=DANA, committer=DANA)
    assert spush(server, work, "origin", f"{decoy}:refs/heads/decoy").code == 0
    work.git("reset", "-q", "--hard", base)
    rewritten = work.commit("rewritten\n", {"r.txt": "r\n"}, author=DANA, committer=DANA)
    server.git("update-ref", f"refs/replace/{rewritten}", decoy)
    result = spush(server, work, "origin", "+main")
    rejected(result, "policy/force-push")
    assert server.tip() == ahead


def test_a_replaced_policy_commit_does_not_swap_the_policy(tmp_path: Path) -> None:
    server = make_server(tmp_path / "srv", server_side_policy=False)
    work = server.clone()
    # A look-alike of main's tip whose policy protects nothing, pushed first to a topic branch.
    lax = TEST_POLICY.replace('protected_refs: ["refs/heads/main", "refs/heads/release/*"]', "protected_refs: []")
    decoy = work.commit("Add the policy\n", {".gatekeeper.yml": lax}, author=DANA, committer=DANA)
    assert spush(server, work, "origin", f"{decoy}:refs/heads/topic").code == 0
    work.git("update-ref", "-d", "HEAD")
    work.git("rm", "-q", "--cached", ".gatekeeper.yml")
    with_policy = work.commit("Add the policy\n", {".gatekeeper.yml": TEST_POLICY}, author=DANA, committer=DANA)
    assert work.git("rev-parse", "HEAD^{tree}") != work.git("rev-parse", f"{decoy}^{{tree}}")
    assert spush(server, work, "origin", "main").code == 0
    server.git("update-ref", f"refs/replace/{with_policy}", decoy)
    mobile = work.commit("from the phone" + MOBILE, {"p.txt": "p\n"}, author=MO, committer=MO)
    result = spush(server, work, "origin", "main")
    rejected(result, f"review/missing {mobile[:12]}")
    assert server.tip() == with_policy


@pytest.mark.parametrize("action", ["move", "delete"])
def test_moving_or_deleting_a_replace_ref_is_refused(tmp_path: Path, action: str) -> None:
    server, work = seeded(tmp_path)
    base = work.head()
    one = work.commit("one\n", {"a.txt": "1\n"}, author=DANA, committer=DANA)
    two = work.commit("two\n", {"a.txt": "2\n"}, author=DANA, committer=DANA)
    assert spush(server, work, "origin", "main").code == 0
    server.git("update-ref", f"refs/replace/{base}", one)
    spec = f"+{two}:refs/replace/{base}" if action == "move" else f":refs/replace/{base}"
    rejected(spush(server, work, "origin", spec), "policy/replace-ref")
    assert server.tip(f"refs/replace/{base}") == one


# -- 19. attributes never hide content -------------------------------------------------------------

@pytest.mark.parametrize("attributes", ["*.cfg -diff\n", "*.cfg binary\n"])
def test_pushed_gitattributes_do_not_hide_a_key(tmp_path: Path, attributes: str) -> None:
    server, work = seeded(tmp_path, SECRETS_POLICY)
    # The attributes land first (on main, harmlessly), then the key in a file they mark binary.
    work.commit("attributes\n", {".gitattributes": attributes}, author=DANA, committer=DANA)
    assert spush(server, work, "origin", "main").code == 0
    work.commit("config\n", {"app.cfg": f"key = {AWS_KEY}\n"}, author=DANA, committer=DANA)
    rejected(spush(server, work, "origin", "main"), "secrets/aws-access-key", "app.cfg:1")


def test_local_check_ignores_work_tree_attributes(tmp_path: Path) -> None:
    from gatekeeper.cli import run

    work = RepoBuilder.init(tmp_path / "work")
    work.commit("base\n", {"README.md": "hi\n", ".gitattributes": "*.cfg -diff\n"}, author=DANA, committer=DANA)
    work.branch("feature")
    work.checkout("feature")
    work.commit("config\n", {"app.cfg": f"key = {AWS_KEY}\n"}, author=DANA, committer=DANA)
    policy = tmp_path / "policy.yml"
    policy.write_text(SECRETS_POLICY)
    out = tmp_path / "out.txt"
    code = run(["check", "--repo", str(work.path), "--policy", str(policy), "--base", "main", "--output", str(out)])
    assert code == 1, out.read_text()
    assert "secrets/aws-access-key" in out.read_text()


# -- 14. protected tags ------------------------------------------------------------------------------

TAGS_PROTECTED = TEST_POLICY.replace('protected_refs: ["refs/heads/main", "refs/heads/release/*"]',
                                     'protected_refs: ["refs/heads/main", "refs/heads/release/*", "refs/tags/v*"]')


@pytest.mark.parametrize("annotated", [False, True])
def test_tagging_a_parked_mobile_commit_with_a_protected_tag_needs_its_review(tmp_path: Path, annotated: bool) -> None:
    server, work = seeded(tmp_path, TAGS_PROTECTED)
    work.branch("topic")
    work.checkout("topic")
    mobile = work.commit("from the phone" + MOBILE, {"p.txt": "p\n"}, author=MO, committer=MO)
    assert spush(server, work, "origin", "topic").code == 0  # unprotected: no review needed there
    if annotated:
        work.git("tag", "-a", "-m", "release", "v1.0", mobile)
    else:
        work.git("tag", "v1.0", mobile)
    rejected(spush(server, work, "origin", "refs/tags/v1.0"), f"review/missing {mobile[:12]}")
    assert server.tip("refs/tags/v1.0") is None
    # An unprotected tag on the same commit is not a release: accepted.
    work.git("tag", "nightly", mobile)
    assert spush(server, work, "origin", "refs/tags/nightly").code == 0


def test_moving_a_protected_tag_onto_a_parked_mobile_commit_needs_its_review(tmp_path: Path) -> None:
    server, work = seeded(tmp_path, TAGS_PROTECTED)
    work.git("tag", "v1.0")
    assert spush(server, work, "origin", "refs/tags/v1.0").code == 0
    work.branch("topic")
    work.checkout("topic")
    mobile = work.commit("from the phone" + MOBILE, {"p.txt": "p\n"}, author=MO, committer=MO)
    assert spush(server, work, "origin", "topic").code == 0
    work.git("tag", "-f", "v1.0", mobile)
    rejected(spush(server, work, "origin", "+refs/tags/v1.0"), f"review/missing {mobile[:12]}")


def test_a_protected_tag_on_reviewed_history_is_accepted(tmp_path: Path) -> None:
    server, work = seeded(tmp_path, TAGS_PROTECTED)
    work.commit("desktop work\n", {"d.txt": "d\n"}, author=DANA, committer=DANA)
    assert spush(server, work, "origin", "main").code == 0
    work.git("tag", "-a", "-m", "release", "v2.0")
    result = spush(server, work, "origin", "refs/tags/v2.0")
    assert result.code == 0, result.output
    assert server.last_verdict()["stats"]["commits"] == 0  # already on main: nothing to judge again


# -- 17. symbolic-ref aliases -------------------------------------------------------------------------

def test_a_symref_alias_of_main_is_judged_as_main(tmp_path: Path) -> None:
    server, work = seeded(tmp_path)
    base = work.head()
    server.git("symbolic-ref", "refs/heads/trunk", "refs/heads/main")
    mobile = work.commit("from the phone" + MOBILE, {"p.txt": "p\n"}, author=MO, committer=MO)
    result = spush(server, work, "origin", "HEAD:refs/heads/trunk")
    rejected(result, f"review/missing {mobile[:12]}")
    assert server.tip() == base
    assert any("refs/heads/trunk is a symbolic ref to refs/heads/main on the server: judged as refs/heads/main"
               in f["message"] for f in server.last_verdict()["findings"])
    # A force push through the alias is a force push of main.
    work.git("reset", "-q", "--hard", base)
    desktop = work.commit("desktop\n", {"d.txt": "d\n"}, author=DANA, committer=DANA)
    accepted = spush(server, work, "origin", "HEAD:refs/heads/trunk")
    assert accepted.code == 0, accepted.output
    assert "note: policy/ref-alias: refs/heads/trunk is a symbolic ref to refs/heads/main" in accepted.remote_text
    assert server.tip() == desktop
    work.git("reset", "-q", "--hard", base)
    work.commit("rewritten\n", {"r.txt": "r\n"}, author=DANA, committer=DANA)
    rejected(spush(server, work, "origin", "+HEAD:refs/heads/trunk"), "policy/force-push")


# -- 18. a dangling HEAD -------------------------------------------------------------------------------

def _repo_policy_server(tmp_path: Path) -> tuple[Server, RepoBuilder]:
    server = make_server(tmp_path / "srv", server_side_policy=False)
    work = server.clone()
    work.commit("Add the policy\n", {".gatekeeper.yml": TEST_POLICY}, author=DANA, committer=DANA)
    assert spush(server, work, "origin", "main").code == 0
    return server, work


def test_a_dangling_head_does_not_drop_mains_policy(tmp_path: Path) -> None:
    server, work = _repo_policy_server(tmp_path)
    server.git("symbolic-ref", "HEAD", "refs/heads/master")  # e.g. created with another default branch
    mobile = work.commit("from the phone" + MOBILE, {"p.txt": "p\n"}, author=MO, committer=MO)
    result = spush(server, work, "origin", "main")
    rejected(result, f"review/missing {mobile[:12]}", "refs/heads/main:.gatekeeper.yml")
    # and policy/changed still guards main
    work.git("reset", "-q", "--hard", "HEAD~1")
    work.commit("lax\n", {".gatekeeper.yml": TEST_POLICY.replace("approvals: 1", "approvals: 0")},
                author=DANA, committer=DANA)
    rejected(spush(server, work, "origin", "+main"), "policy/changed")


def test_an_ambiguous_dangling_head_fails_closed_with_the_fix(tmp_path: Path) -> None:
    server, work = _repo_policy_server(tmp_path)
    assert spush(server, work, "origin", "main:refs/heads/master").code == 0
    server.git("symbolic-ref", "HEAD", "refs/heads/gone")
    work.commit("desktop\n", {"d.txt": "d\n"}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    assert result.code != 0
    assert "HEAD names refs/heads/gone, which does not exist" in result.output
    assert "git symbolic-ref HEAD refs/heads/main" in result.output
    # init.defaultBranch in the server repository's config settles it.
    server.git("config", "init.defaultBranch", "main")
    assert spush(server, work, "origin", "main").code == 0


def test_the_first_push_of_the_default_branch_after_a_topic_is_accepted(tmp_path: Path) -> None:
    server = make_server(tmp_path / "srv", server_side_policy=False)
    work = server.clone()
    work.commit("start\n", {"a.txt": "a\n"}, author=DANA, committer=DANA)
    assert spush(server, work, "origin", "HEAD:refs/heads/topic").code == 0
    assert spush(server, work, "origin", "main").code == 0


# -- 13. notes refs --------------------------------------------------------------------------------

@pytest.mark.parametrize("notes_ref", ["refs/notes/origin", "refs/notes/ai", "refs/notes/agent-trace"])
@pytest.mark.parametrize("target", ["blob", "tree-commit", "tag-object"])
def test_a_push_cannot_store_a_notes_ref_that_is_not_notes(tmp_path: Path, notes_ref: str, target: str) -> None:
    server, work = seeded(tmp_path)
    if target == "blob":
        bad = work.git("hash-object", "-w", "--stdin", input="not a note\n")
    elif target == "tree-commit":
        bad = work.head()  # a commit whose tree is README.md, not notes
    else:
        bad = work.git("mktag", input=f"object {work.head()}\ntype commit\ntag t\n"
                                        "tagger T <t@example.com> 1767225600 +0000\n\nx\n")
    result = spush(server, work, "origin", f"{bad}:{notes_ref}")
    rejected(result, "policy/bad-notes-ref", notes_ref)
    assert server.tip(notes_ref) is None
    # and nothing is bricked: the next ordinary push is judged as usual
    work.commit("desktop\n", {"d.txt": "d\n"}, author=DANA, committer=DANA)
    assert spush(server, work, "origin", "main").code == 0


def test_good_notes_pushed_with_their_commit_still_count(tmp_path: Path) -> None:
    server, work = seeded(tmp_path)
    sha = work.commit("note-tagged\n", {"n.txt": "n\n"}, author=DANA, committer=DANA)
    work.note(sha, "Origin-Device: mobile\n")
    rejected(spush(server, work, "origin", "main", "refs/notes/origin"), f"review/missing {sha[:12]}")


@pytest.mark.parametrize("target", ["blob", "commit"])
def test_an_already_broken_notes_ref_blocks_only_where_origin_matters(tmp_path: Path, target: str) -> None:
    server, work = seeded(tmp_path)
    # As an earlier, unchecked push would have left it: refs/notes/origin naming a blob, or a commit whose
    # tree is README.md rather than notes.
    bad = server.git("rev-parse", "refs/heads/main:README.md" if target == "blob" else "refs/heads/main")
    server.git("update-ref", "refs/notes/origin", bad)
    work.branch("topic")
    work.checkout("topic")
    work.commit("topic work\n", {"t.txt": "t\n"}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "topic")
    assert result.code == 0, result.output  # unprotected: reported, not bricked
    assert any(f["rule_id"] == "policy/bad-notes-ref" and not f["blocking"]
               for f in server.last_verdict()["findings"])
    work.checkout("main")
    work.commit("main work\n", {"m.txt": "m\n"}, author=DANA, committer=DANA)
    rejected(spush(server, work, "origin", "main"), "policy/bad-notes-ref", "refs/notes/origin on the server")
    # A push that brings a well-formed notes commit repairs it (judged with the notes it brings).
    work.note(work.head(), "Origin-Device: desktop\n")
    result = spush(server, work, "origin", "main", "+refs/notes/origin")
    assert result.code == 0, result.output
    assert server.git("cat-file", "-t", "refs/notes/origin") == "commit"


# -- 10. refs that name blobs or trees -----------------------------------------------------------------

def _key_blob(work: RepoBuilder) -> str:
    return work.git("hash-object", "-w", "--stdin", input=f"aws_access_key_id = {AWS_KEY}\n")


@pytest.mark.parametrize("how", ["lightweight-tag", "annotated-tag", "tag-of-tag", "backup-ref"])
def test_a_ref_naming_a_blob_is_scanned(tmp_path: Path, how: str) -> None:
    server, work = seeded(tmp_path, SECRETS_POLICY)
    blob = _key_blob(work)
    if how == "lightweight-tag":
        spec = f"{blob}:refs/tags/keyblob"
    elif how == "backup-ref":
        spec = f"{blob}:refs/backup/keyblob"
    else:
        work.git("tag", "-a", "-m", "a blob", "keyblob", blob)
        if how == "tag-of-tag":
            work.git("tag", "-a", "-m", "a tag of a tag", "outer", "keyblob")
            work.git("tag", "-d", "keyblob")
            spec = "refs/tags/outer"
        else:
            spec = "refs/tags/keyblob"
    result = spush(server, work, "origin", spec)
    rejected(result, "secrets/aws-access-key", "outside any commit")
    assert AWS_KEY not in result.output


def test_a_ref_naming_a_tree_is_scanned_file_by_file(tmp_path: Path) -> None:
    server, work = seeded(tmp_path, SECRETS_POLICY)
    clean = work.git("hash-object", "-w", "--stdin", input="nothing here\n")
    inner = work.git("mktree", input=f"100644 blob {_key_blob(work)}\tcreds.txt\n")
    tree = work.git("mktree", input=f"100644 blob {clean}\tREADME\n040000 tree {inner}\tconf\n")
    result = spush(server, work, "origin", f"{tree}:refs/backup/snapshot")
    rejected(result, "secrets/aws-access-key", "conf/creds.txt:1", "refs/backup/snapshot")
    # The same tree without the key is accepted: nothing is refused for being a tree on an unprotected ref.
    tree = work.git("mktree", input=f"100644 blob {clean}\tREADME\n")
    assert spush(server, work, "origin", f"{tree}:refs/backup/snapshot").code == 0


def test_a_protected_ref_must_name_a_commit(tmp_path: Path) -> None:
    server, work = seeded(tmp_path, TAGS_PROTECTED)
    clean = work.git("hash-object", "-w", "--stdin", input="release notes\n")
    work.git("tag", "-a", "-m", "release", "v3.0", clean)
    result = spush(server, work, "origin", "refs/tags/v3.0")
    rejected(result, "policy/ref-target", "refs/tags/v3.0 would name a blob")
    assert server.tip("refs/tags/v3.0") is None
    # Unprotected, and clean (no scanners in this policy): accepted, as before.
    work.git("tag", "-a", "-m", "notes", "notes-3.0", clean)
    assert spush(server, work, "origin", "refs/tags/notes-3.0").code == 0


# -- 5. origin known only at push time ---------------------------------------------------------------

WEB_IS_MOBILE = TEST_POLICY.replace("mobile_classes: [mobile, tablet]", "mobile_classes: [mobile, tablet, web]")


@pytest.mark.parametrize(("option", "env"), [
    ("origin-device=mobile", {}),
    (None, {"GL_ID": "user-7", "GL_PROTOCOL": "web", "GL_USERNAME": "mo"}),
    (None, {"GITHUB_VIA": "blob#save", "GITHUB_USER_LOGIN": "mo"}),
])
def test_push_time_origin_follows_the_commit_to_main(tmp_path: Path, option: str | None,
                                                     env: dict[str, str]) -> None:
    server, work = seeded(tmp_path, WEB_IS_MOBILE)
    base = work.head()
    sha = work.commit("edited in the browser or on the phone\n", {"w.txt": "w\n"}, author=MO, committer=MO)
    args = ("-o", option) if option else ()
    first = spush(server, work, *args, "origin", "HEAD:refs/heads/topic", env=env)
    assert first.code == 0, first.output  # unprotected: no review needed there
    evidence = server.last_verdict()["commits"][0]["origin"]["evidence"]
    assert evidence and server.last_verdict()["commits"][0]["origin"]["device"] in ("mobile", "web")
    # Later, a plain push (no option, no forge metadata) fast-forwards main to it.
    result = spush(server, work, "origin", "HEAD:refs/heads/main")
    rejected(result, f"review/missing {sha[:12]}")
    assert server.tip() == base
    origin = server.last_verdict()["commits"][0]["origin"]
    assert any(e["source"] == "push-record" and "recorded at push" in e["detail"] for e in origin["evidence"])


def test_the_push_time_record_cannot_be_pushed_over(tmp_path: Path) -> None:
    server, work = seeded(tmp_path)
    sha = work.commit("from the phone\n", {"p.txt": "p\n"}, author=MO, committer=MO)
    assert spush(server, work, "-o", "origin-device=mobile", "origin", "HEAD:refs/heads/topic").code == 0
    # A later push of the same commit claiming desktop does not erase what was recorded: the stricter wins.
    result = spush(server, work, "-o", "origin-device=desktop", "origin", "HEAD:refs/heads/main")
    rejected(result, f"review/missing {sha[:12]}")
    records = list((server.path / "gatekeeper" / "push-origin").rglob("*"))
    assert any(p.is_file() for p in records)


def test_a_record_that_cannot_be_written_refuses_the_push(tmp_path: Path) -> None:
    server, work = seeded(tmp_path)
    (server.path / "gatekeeper").mkdir(exist_ok=True)
    (server.path / "gatekeeper" / "push-origin").write_text("not a directory\n")
    work.commit("from the phone\n", {"p.txt": "p\n"}, author=MO, committer=MO)
    result = spush(server, work, "-o", "origin-device=mobile", "origin", "HEAD:refs/heads/topic")
    assert result.code != 0
    assert "could not record the push-time origin" in result.output
    assert server.tip("refs/heads/topic") is None
    # A push without push-time origin has nothing to record and is judged as usual.
    assert spush(server, work, "origin", "HEAD:refs/heads/topic").code == 0


def test_a_symref_alias_of_an_unborn_protected_branch_is_judged_as_that_branch(tmp_path: Path) -> None:
    server, work = seeded(tmp_path)
    # release/* is protected; the alias names a release branch nobody has pushed yet.
    server.git("symbolic-ref", "refs/heads/next-release", "refs/heads/release/2")
    mobile = work.commit("from the phone" + MOBILE, {"p.txt": "p\n"}, author=MO, committer=MO)
    result = spush(server, work, "origin", "HEAD:refs/heads/next-release")
    rejected(result, f"review/missing {mobile[:12]}")
    assert server.tip("refs/heads/release/2") is None


# -- refs named like a protected ref ------------------------------------------------------------------

@pytest.mark.parametrize("ref", ["refs/tags/main", "refs/main", "refs/tags/refs/heads/main",
                                 "refs/heads/x/refs/heads/main", "refs/heads/refs/heads/main",
                                 "refs/backup/refs/heads/release/2.0",
                                 "refs/remotes/origin/main", "refs/remotes/a/b/release/2.0",
                                 "refs/heads/MAIN", "refs/heads/Release/2.0", "refs/tags/Main",
                                 "refs/tags/Origin/MAIN",
                                 "refs/tags/origin/main"])
def test_a_ref_named_like_a_protected_one_is_refused(tmp_path: Path, ref: str) -> None:
    """A tag `main` is what `git rev-parse main` reads from then on; a ref ending in a protected ref's name is
    taken for it by name-rev and describe. Both are refused, patterns included (release/* here)."""
    server, work = seeded(tmp_path)
    bait = work.commit("bait\n", {"b.txt": "b\n"}, author=DANA, committer=DANA)
    work.git("reset", "-q", "--hard", "HEAD~1")
    result = spush(server, work, "origin", f"{bait}:{ref}")
    rejected(result, "policy/ambiguous-ref", "pre_receive.allow_ambiguous_refs")
    assert server.tip(ref) is None
    assert server.git("rev-parse", "main") == work.head()


@pytest.mark.parametrize("ref", ["refs/tags/v1.0", "refs/heads/feature/main", "refs/tags/mainline",
                                 "refs/notes/commits", "refs/heads/release/2.0/docs", "refs/tags/heads/main",
                                 "refs/for/refs/heads/main", "refs/for/main/topic",
                                 "refs/tags/remotes/origin/main"])
def test_refs_that_only_resemble_a_protected_name_are_accepted(tmp_path: Path, ref: str) -> None:
    server, work = seeded(tmp_path)
    if ref == "refs/notes/commits":
        work.git("notes", "add", "-m", "a note", "HEAD")
        result = spush(server, work, "origin", ref)
    else:
        result = spush(server, work, "origin", f"HEAD:{ref}")
    assert result.code == 0, result.output
    assert server.tip(ref) is not None


def test_an_ambiguous_ref_can_be_deleted_and_the_policy_can_allow_them(tmp_path: Path) -> None:
    policy = TEST_POLICY.replace("defer: []}", "defer: [], allow_ambiguous_refs: true}")
    server, work = seeded(tmp_path, policy)
    assert spush(server, work, "origin", "HEAD:refs/tags/main").code == 0
    assert server.tip("refs/tags/main") == work.head()
    strict, strict_work = seeded(tmp_path / "strict")
    strict.git("update-ref", "refs/tags/main", strict_work.head())  # left by an earlier gate, or an admin
    assert spush(strict, strict_work, "origin", ":refs/tags/main").code == 0
    assert strict.tip("refs/tags/main") is None


def test_a_tag_named_like_a_pattern_protected_branch_is_refused_only_beside_that_branch(tmp_path: Path) -> None:
    """`refs/heads/release/*` is protected. A tag `release/2.0` shadows nothing while no branch release/2.0
    exists (release tags named so are a team's convention); beside the branch it is refused, and the branch
    cannot be created while such a tag stands in for it."""
    server, work = seeded(tmp_path)
    for ref in ("refs/tags/release/1.0", "refs/tags/upstream/release/1.0", "refs/release/1.1"):
        pushed = spush(server, work, "origin", f"HEAD:{ref}")
        assert pushed.code == 0, pushed.output
    # The branch release/1.0 would be read as the tag from birth: refused until the tag goes.
    rejected(spush(server, work, "origin", "HEAD:refs/heads/release/1.0"), "policy/ambiguous-ref",
             "refs/tags/release/1.0 already stands in for it")
    rejected(spush(server, work, "origin", "HEAD:refs/heads/release/1.1"), "policy/ambiguous-ref",
             "refs/release/1.1 already stands in for it")
    assert server.tip("refs/heads/release/1.0") is None
    # `upstream/release/1.0` would be read for `git rev-parse upstream/release/1.0` in a clone with that remote.
    rejected(spush(server, work, "origin", ":refs/tags/release/1.0", "HEAD:refs/heads/release/1.0"),
             "policy/ambiguous-ref", "refs/tags/upstream/release/1.0 already stands in for it")
    # Deleting the tags in the same push lets the branch in.
    assert spush(server, work, "origin", ":refs/tags/release/1.0", ":refs/tags/upstream/release/1.0",
                 "HEAD:refs/heads/release/1.0").code == 0
    assert server.tip("refs/heads/release/1.0") == work.head()
    # Now that the branch exists, a tag of its name (or `<remote>/<name>`) is refused.
    for ref in ("refs/tags/release/1.0", "refs/tags/origin/release/1.0", "refs/release/1.0"):
        rejected(spush(server, work, "origin", f"HEAD:{ref}"), "policy/ambiguous-ref",
                 "stands in for protected refs/heads/release/1.0")
        assert server.tip(ref) is None
    # A branch and a tag of one name in a single push: the tag is refused.
    rejected(spush(server, work, "origin", "HEAD:refs/heads/release/3.0", "HEAD:refs/tags/release/3.0"),
             "policy/ambiguous-ref")


@pytest.mark.parametrize("tag", ["refs/tags/origin/release/9.0", "refs/tags/Release/9.0", "refs/RELEASE/9.0",
                                 "refs/tags/upstream/Release/9.0"])
def test_a_pattern_protected_branch_is_not_created_beside_any_ref_that_stands_in_for_it(tmp_path: Path,
                                                                                        tag: str) -> None:
    """Pushed while no branch release/9.0 exists, each of these refs is let in; the branch created later would
    be shadowed by it (a tag `origin/release/9.0` is what `git rev-parse origin/release/9.0` reads in every
    clone; on macOS and Windows a loose tag `Release/9.0` is the file `git rev-parse release/9.0` finds)."""
    server, work = seeded(tmp_path)
    bait = work.commit("bait\n", {"b.txt": "b\n"}, author=DANA, committer=DANA)
    work.git("reset", "-q", "--hard", "HEAD~1")
    assert spush(server, work, "origin", f"{bait}:{tag}").code == 0
    rejected(spush(server, work, "origin", "HEAD:refs/heads/release/9.0"), "policy/ambiguous-ref",
             f"{tag} already stands in for it")
    assert server.tip("refs/heads/release/9.0") is None
    assert spush(server, work, "origin", f":{tag}", "HEAD:refs/heads/release/9.0").code == 0


# -- first-parent history of protected branches -------------------------------------------------------

def _foxtrot(work: RepoBuilder, old: str) -> tuple[str, str]:
    """What `git pull` with a merge makes and pushes: local work first, the server's tip as second parent."""
    work.git("checkout", "-q", "-B", "local", f"{old}~0")
    work.git("reset", "-q", "--hard", f"{old}~0")
    mine = work.commit("local work\n", {"l.txt": "l\n"}, author=DANA, committer=DANA)
    work.git("checkout", "-q", "-B", "upstream", old)
    theirs = work.commit("their work\n", {"t.txt": "t\n"}, author=DANA, committer=DANA)
    tree = work.git("rev-parse", f"{theirs}^{{tree}}")
    merged = work.git("commit-tree", tree, "-p", mine, "-p", theirs, "-m", "Merge origin/main")
    return theirs, merged


def test_a_push_that_takes_the_old_tip_off_the_first_parent_line_is_refused_on_protected_refs(
        tmp_path: Path) -> None:
    """A fast-forward to a merge whose second parent is the old tip swaps the branch's first-parent line
    (red team: it made an old unreviewed landing vanish from the audit). Refused like a force push on a
    protected ref, unless the policy allows force pushes; a merge the right way round, and any unprotected
    branch, are pushed as before."""
    server, work = seeded(tmp_path)
    old = work.head()
    theirs, merged = _foxtrot(work, old)
    assert spush(server, work, "origin", f"{theirs}:refs/heads/main").code == 0
    rejected(spush(server, work, "origin", f"{merged}:refs/heads/main"), "policy/force-push",
             "takes its old tip off its first-parent line")
    assert server.tip("refs/heads/main") == theirs
    assert spush(server, work, "origin", f"{merged}:refs/heads/topic").code == 0
    right_way = work.git("commit-tree", work.git("rev-parse", f"{merged}^{{tree}}"), "-p", theirs, "-p",
                         f"{merged}^1", "-m", "Merge local work")
    assert spush(server, work, "origin", f"{right_way}:refs/heads/main").code == 0

    allowing = make_server(tmp_path / "srv2", policy=TEST_POLICY.replace(
        "pre_receive: {budget_seconds: 4.0, scanners: [], defer: []}",
        "pre_receive: {budget_seconds: 4.0, scanners: [], defer: [], allow_force_push: true}"))
    assert spush(allowing, work, allowing.path.as_uri(), f"{theirs}:refs/heads/main").code == 0
    assert spush(allowing, work, allowing.path.as_uri(), f"{merged}:refs/heads/main").code == 0
