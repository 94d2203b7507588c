"""Adversarial regression guards: variants of issue #9's attacks that the gate withstands on main.

Each test is an attack a hostile pusher, PR author or policy editor would try — beyond the examples
issue #9 lists (those have their own tests in test_hook_refs.py, test_failopen_hook.py,
test_action_failopen.py, test_tag.py, ...). Hook attacks are real `git push`es into a bare repository
with the installed pre-receive hook; Action attacks run `gatekeeper action` against the GitHub-shaped
local API. Every test asserts that the gate refuses (or reads correctly), so a regression that reopens
a class fails here. Objects git itself would build only with plumbing (odd tree entries, duplicate
headers) are written byte for byte with `git mktree` / `git hash-object --literally`, as an attacker would.
"""

from __future__ import annotations

import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from gatekeeper.cli import run as gatekeeper_cli
from gatekeeper.config import glob_match, load_policy_file
from gatekeeper.models import ExitCode
from gatekeeper.trailers import parse_trailers
from tests.github_helpers import synthetic_pull_commit, synthetic_review
from tests.hook_helpers import (
    AWS_KEY,
    DANA,
    KEY_LINE,
    MO,
    MOBILE,
    SECRETS_POLICY,
    TEST_POLICY,
    make_server,
    rejected,
    seeded,
    spush,
)
from tests.repo_builder import RepoBuilder
from tests.test_action import ALICE, REPO, Env, gh, pr_event, pr_repo, serve_pr

__all__ = ["gh", "pr_repo"]  # fixtures used below

TAGS_PROTECTED = TEST_POLICY.replace('protected_refs: ["refs/heads/main", "refs/heads/release/*"]',
                                     'protected_refs: ["refs/heads/main", "refs/heads/release/*", "refs/tags/v*"]')






def blob(work: RepoBuilder, data: str) -> str:
    return work.git("hash-object", "-w", "--stdin", input=data)


def mktree(work: RepoBuilder, entries: list[tuple[str, str, str, bytes]]) -> str:
    """A tree from (mode, type, sha, raw name) entries, byte for byte: names may be any bytes git allows."""
    data = b"".join(f"{mode} {kind} {sha}\t".encode() + name + b"\0" for mode, kind, sha, name in entries)
    proc = subprocess.run(["git", "mktree", "-z", "--missing"], cwd=work.path, input=data, capture_output=True,
                          check=True)
    return proc.stdout.decode().strip()


def commit_tree(work: RepoBuilder, tree: str, parent: str, message: str = "change\n") -> str:
    env = {"GIT_AUTHOR_NAME": DANA[0], "GIT_AUTHOR_EMAIL": DANA[1],
           "GIT_COMMITTER_NAME": DANA[0], "GIT_COMMITTER_EMAIL": DANA[1]}
    return work.git("commit-tree", tree, "-p", parent, "-m", message, env=env)


def phone_commit(work: RepoBuilder) -> str:
    return work.commit("from the phone" + MOBILE, {"p.txt": "p\n"}, author=MO, committer=MO)


# -- 1. replace refs ------------------------------------------------------------------------------------

def test_a_replace_ref_pushed_with_the_commit_it_replaces_does_not_hide_it(tmp_path: Path) -> None:
    """Even where the policy allows replace refs, one pushed in the same push as a mobile commit (a desktop
    decoy in its place) does not make that commit desktop."""
    policy = TEST_POLICY.replace("defer: []}", "defer: [], allow_replace_refs: true}")
    server, work = seeded(tmp_path, policy)
    base = work.head()
    mobile = phone_commit(work)
    decoy = work.git("commit-tree", work.git("rev-parse", "HEAD^{tree}"), "-p", base, "-m", "desktop work")
    work.git("update-ref", f"refs/replace/{mobile}", decoy)
    rejected(spush(server, work, "origin", "main", f"refs/replace/{mobile}"), f"review/missing {mobile[:12]}")
    assert server.tip() == base
    assert server.tip(f"refs/replace/{mobile}") is None


def test_a_replace_ref_moved_through_a_server_symref_is_refused(tmp_path: Path) -> None:
    server, work = seeded(tmp_path)
    base = work.head()
    decoy = work.commit("harmless\n", {"a.txt": "a\n"}, author=DANA, committer=DANA)
    server.git("update-ref", f"refs/replace/{base}", base)
    server.git("symbolic-ref", "refs/heads/r", f"refs/replace/{base}")
    rejected(spush(server, work, "origin", f"{decoy}:refs/heads/r"), "policy/replace-ref")
    assert server.git("rev-parse", f"refs/replace/{base}") == base


# -- 2. paths are raw bytes -----------------------------------------------------------------------------

def test_path_collisions_do_not_hide_a_key(tmp_path: Path) -> None:
    """Names that collide once decoded, normalised or split: a gitlink or symlink under one name must not
    make the key under the other count as skipped; odd names are scanned, not joined into a path."""
    server, work = seeded(tmp_path, SECRETS_POLICY)
    base = work.head()
    key = blob(work, KEY_LINE)
    gitlink = "1" * 40
    nfc = unicodedata.normalize("NFC", "caf\u00e9.env").encode()
    nfd = unicodedata.normalize("NFD", "caf\u00e9.env").encode()
    variants: dict[str, list[tuple[str, str, str, bytes]]] = {
        "nfc-beside-nfd-gitlink": [("160000", "commit", gitlink, nfd), ("100644", "blob", key, nfc)],
        "file-beside-directory": [("100644", "blob", key, b"conf"),
                                  ("040000", "tree", mktree(work, [("160000", "commit", gitlink, b"x")]), b"conf")],
        "newline-in-name": [("100644", "blob", key, b"a\nb.env")],
        "directory-named-dotdot": [("040000", "tree", mktree(work, [("100644", "blob", key, b"creds.env")]), b"..")],
        "replacement-char-beside-invalid-byte": [("160000", "commit", gitlink, b"creds\xfe.env"),
                                                 ("100644", "blob", key, b"creds\xef\xbf\xbd.env")],
    }
    for variant, extra in variants.items():
        tree = mktree(work, [("100644", "blob", blob(work, "hello\n"), b"README.md"), *extra])
        result = spush(server, work, "origin", f"{commit_tree(work, tree, base, variant)}:refs/heads/main")
        assert "secrets/aws-access-key" in result.output, (variant, result.output)
        rejected(result)
        assert server.tip() == base


# -- 10. refs that name blobs or trees -----------------------------------------------------------------

def test_refs_naming_trees_or_blobs_anywhere_are_scanned(tmp_path: Path) -> None:
    server, work = seeded(tmp_path, SECRETS_POLICY)
    key = blob(work, KEY_LINE)
    tree = mktree(work, [("100644", "blob", key, b"creds.txt")])
    work.git("tag", "-a", "-m", "a tree", "inner", tree)
    work.git("tag", "-a", "-m", "outer", "outer", "inner")
    work.git("tag", "-d", "inner")
    for spec in ("refs/tags/outer", f"{key}:refs/pull/1/head", f"{tree}:refs/notesx/t"):
        rejected(spush(server, work, "origin", spec), "secrets/aws-access-key")
        assert server.tip(spec.rpartition(":")[2]) is None


# -- 11 (the part that holds). notes are content --------------------------------------------------------

def test_a_key_in_a_pushed_note_is_found(tmp_path: Path) -> None:
    server, work = seeded(tmp_path, SECRETS_POLICY)
    for notes_ref in ("refs/notes/commits", "refs/notes/origin"):
        work.note(work.head(), f"Origin-Device: desktop\nKey: {AWS_KEY}", ref=notes_ref)
        rejected(spush(server, work, "origin", notes_ref), "secrets/aws-access-key")
        assert server.tip(notes_ref) is None


@pytest.mark.parametrize("where", ["subject", "body", "tag-message"])
def test_a_key_in_a_commit_or_tag_message_is_found(tmp_path: Path, where: str) -> None:
    server, work = seeded(tmp_path, SECRETS_POLICY)
    spec = "HEAD:refs/heads/topic"
    if where == "subject":
        work.commit(f"set {AWS_KEY}\n", {"a.txt": "a\n"})
    elif where == "body":
        work.commit(f"subject\n\nthe key is {AWS_KEY}\n", {"a.txt": "a\n"})
    else:
        work.git("tag", "-a", "-m", f"release key {AWS_KEY}", "t1")
        spec = "refs/tags/t1"
    rejected(spush(server, work, "origin", spec), "secrets/aws-access-key")


# -- history shapes that could hide a key from a per-commit patch -------------------------------------

def test_keys_hidden_by_history_shape_are_found(tmp_path: Path) -> None:
    """An evil merge (content in neither parent), an evil octopus, an orphan root commit, and a key added
    then deleted within the same push: each is refused."""
    server, work = seeded(tmp_path, SECRETS_POLICY)
    base = work.head()
    work.branch("side")
    work.commit("side\n", {"s.txt": "s\n"}, author=DANA, committer=DANA)
    work.checkout("main")
    work.commit("main\n", {"m.txt": "m\n"}, author=DANA, committer=DANA)
    work.git("merge", "-q", "--no-ff", "--no-commit", "side")
    work.write("c.env", KEY_LINE)
    work.git("add", "c.env")
    work.git("commit", "-q", "-m", "Merge side")
    rejected(spush(server, work, "origin", "main"), "secrets/aws-access-key")

    parents = []
    for name in ("a", "b", "c"):
        work.git("checkout", "-q", "-B", name, base)
        parents.append(work.commit(f"{name}\n", {f"{name}.txt": f"{name}\n"}, author=DANA, committer=DANA))
    tree = mktree(work, [("100644", "blob", blob(work, "hello\n"), b"README.md"),
                         *[("100644", "blob", blob(work, f"{n}\n"), f"{n}.txt".encode()) for n in "abc"],
                         ("100644", "blob", blob(work, KEY_LINE), b"c.env")])
    octopus = work.git("commit-tree", tree, *[arg for p in parents for arg in ("-p", p)], "-m", "octopus")
    rejected(spush(server, work, "origin", f"{octopus}:refs/heads/main"), "secrets/aws-access-key")

    root = work.git("commit-tree", mktree(work, [("100644", "blob", blob(work, KEY_LINE), b"c.env")]), "-m", "root")
    rejected(spush(server, work, "origin", f"{root}:refs/heads/orphan"), "secrets/aws-access-key")

    work.git("checkout", "-q", "-B", "main", base)
    work.commit("add\n", {"c.env": KEY_LINE}, author=DANA, committer=DANA)
    work.git("rm", "-q", "c.env")
    work.commit("remove\n", allow_empty=True, author=DANA, committer=DANA)
    rejected(spush(server, work, "origin", "main"), "secrets/aws-access-key")
    assert server.tip() == base


def test_a_key_at_the_end_of_a_1_mb_line_is_found(tmp_path: Path) -> None:
    server, work = seeded(tmp_path, SECRETS_POLICY)
    base = work.head()
    work.commit("config\n", {"c.env": "x" * 1_000_000 + " " + KEY_LINE}, author=DANA, committer=DANA)
    rejected(spush(server, work, "origin", "main"), "secrets/aws-access-key")
    assert server.tip() == base


# -- 12. encodings --------------------------------------------------------------------------------------

def test_a_key_in_unusual_encodings_is_found(tmp_path: Path) -> None:
    server, work = seeded(tmp_path, SECRETS_POLICY)
    base = work.head()
    files = {"be-bom.env": b"\xfe\xff" + KEY_LINE.encode("utf-16-be"),
             "utf32.env": b"\xff\xfe\x00\x00" + KEY_LINE.encode("utf-32-le"),
             "le-no-bom.env": ("# config\n" + KEY_LINE).encode("utf-16-le"),
             "nul.env": b"header\x00\x00\x00\n" + KEY_LINE.encode()}
    work.commit("config\n", files, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    rejected(result, "secrets/aws-access-key")
    for name in files:
        assert f" {name}:" in result.output, (name, result.output)
    assert server.tip() == base


# -- 13. the gate's own notes ---------------------------------------------------------------------------

def test_attestation_notes_cannot_be_forged_or_erased_by_a_push(tmp_path: Path) -> None:
    server, work = seeded(tmp_path)
    work.note(work.head(), '{"forged": true}', ref="refs/notes/gatekeeper/attestations")
    for target in ("refs/notes/gatekeeper/attestations", "refs/notes/gatekeeper/other"):
        result = spush(server, work, "origin", f"refs/notes/gatekeeper/attestations:{target}")
        rejected(result, "policy/reserved-ref")
        assert server.tip(target) is None
    server.git("notes", "--ref=refs/notes/gatekeeper/attestations", "add", "-m", "{}", "HEAD")
    genuine = server.tip("refs/notes/gatekeeper/attestations")
    rejected(spush(server, work, "origin", ":refs/notes/gatekeeper/attestations"), "policy/reserved-ref")
    assert server.tip("refs/notes/gatekeeper/attestations") == genuine


def test_a_huge_origin_note_claiming_desktop_does_not_clear_a_mobile_commit(tmp_path: Path) -> None:
    server, work = seeded(tmp_path)
    base = work.head()
    mobile = phone_commit(work)
    note = tmp_path / "note"
    note.write_text("Origin-Device: desktop\n" + ("x" * 200 + "\n") * 40000)  # 8 MB
    work.git("notes", "--ref=refs/notes/origin", "add", "-f", "-F", str(note), mobile)
    rejected(spush(server, work, "origin", "main", "refs/notes/origin"), f"review/missing {mobile[:12]}")
    assert server.tip() == base


# -- 14 and 5. a parked mobile commit reaching a protected ref another way -----------------------------

def test_creating_a_protected_release_branch_from_a_parked_mobile_commit_needs_review(tmp_path: Path) -> None:
    server, work = seeded(tmp_path)
    work.branch("topic")
    mobile = phone_commit(work)
    assert spush(server, work, "origin", "topic").code == 0
    rejected(spush(server, work, "origin", "topic:refs/heads/release/1"), f"review/missing {mobile[:12]}")
    assert server.tip("refs/heads/release/1") is None


def test_a_protected_tag_of_a_tag_of_a_parked_mobile_commit_needs_review(tmp_path: Path) -> None:
    server, work = seeded(tmp_path, TAGS_PROTECTED)
    work.branch("topic")
    mobile = phone_commit(work)
    assert spush(server, work, "origin", "topic").code == 0
    work.git("tag", "-a", "-m", "inner", "inner", mobile)
    work.git("tag", "-a", "-m", "outer", "v9", "inner")
    rejected(spush(server, work, "origin", "refs/tags/v9"), f"review/missing {mobile[:12]}")


def test_a_mobile_commit_parked_under_an_unprotected_tag_still_needs_review_on_main(tmp_path: Path) -> None:
    server, work = seeded(tmp_path, TAGS_PROTECTED)
    base = work.head()
    mobile = phone_commit(work)
    work.git("tag", "nightly", mobile)
    assert spush(server, work, "origin", "refs/tags/nightly").code == 0
    rejected(spush(server, work, "origin", "main"), f"review/missing {mobile[:12]}")
    assert server.tip() == base


def test_push_time_origin_survives_a_desktop_merge_and_a_protected_tag(tmp_path: Path) -> None:
    server, work = seeded(tmp_path, TAGS_PROTECTED)
    base = work.head()
    work.branch("topic")
    sha = work.commit("phone\n", {"w.txt": "w\n"}, author=MO, committer=MO)
    assert spush(server, work, "-o", "origin-device=mobile", "origin", "topic").code == 0
    work.git("tag", "v5", sha)
    rejected(spush(server, work, "origin", "refs/tags/v5"), f"review/missing {sha[:12]}")
    work.checkout("main")
    work.merge("topic", "Merge topic")  # a desktop merge commit on top
    rejected(spush(server, work, "origin", "main"), f"review/missing {sha[:12]}")
    assert server.tip() == base


def test_push_option_spellings_are_recorded(tmp_path: Path) -> None:
    server, work = seeded(tmp_path)
    base = work.head()
    for i, option in enumerate(["Origin-Device=Mobile", "origin-device=mobile ", "origin-device = mobile"]):
        work.git("checkout", "-q", "-B", f"topic{i}", base)
        sha = work.commit("phone\n", {"w.txt": f"{i}\n"}, author=MO, committer=MO)
        assert spush(server, work, "-o", option, "origin", f"HEAD:refs/heads/topic{i}").code == 0
        rejected(spush(server, work, "origin", "HEAD:refs/heads/main"), f"review/missing {sha[:12]}")


# -- 17. symbolic refs ------------------------------------------------------------------------------------

def test_symref_aliases_of_main_are_judged_as_main(tmp_path: Path) -> None:
    """A chain of symbolic refs, and one from the tags namespace, move main: judged as main."""
    server, work = seeded(tmp_path)
    base = work.head()
    server.git("symbolic-ref", "refs/heads/alias", "refs/heads/main")
    server.git("symbolic-ref", "refs/heads/trunk", "refs/heads/alias")
    server.git("symbolic-ref", "refs/tags/latest", "refs/heads/main")
    mobile = phone_commit(work)
    for spec in ("HEAD:refs/heads/trunk", "+HEAD:refs/tags/latest"):
        rejected(spush(server, work, "origin", spec), f"review/missing {mobile[:12]}")
        assert server.tip() == base


# -- 19. attributes never hide content --------------------------------------------------------------------

def test_pushed_attributes_with_server_side_drivers_do_not_hide_keys(tmp_path: Path) -> None:
    server, work = seeded(tmp_path, SECRETS_POLICY)
    for key, value in (("diff.hide.textconv", "true"), ("diff.hide.binary", "true"), ("diff.foo.command", "true")):
        server.git("config", key, value)
    attributes = "*.a diff=hide\n*.b binary\n*.c -text -diff\n*.d filter=x\n[attr]mute -diff\n*.e mute\n* diff=foo\n"
    work.commit("attrs\n", {".gitattributes": attributes}, author=DANA, committer=DANA)
    assert spush(server, work, "origin", "main").code == 0
    names = ["k.a", "k.b", "k.c", "k.d", "k.e"]
    work.commit("config\n", {name: f"{name} = {AWS_KEY}\n" for name in names}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    rejected(result, "secrets/aws-access-key")
    for name in names:
        assert f" {name}:1:" in result.output, (name, result.output)


def test_server_attributes_and_diff_config_do_not_hide_keys(tmp_path: Path) -> None:
    server, work = seeded(tmp_path, SECRETS_POLICY)
    attrs = tmp_path / "attrs"
    attrs.write_text("*.env -diff\n")
    server.git("config", "core.attributesFile", str(attrs))
    (server.path / "info").mkdir(exist_ok=True)
    (server.path / "info" / "attributes").write_text("*.env -diff\n")
    for key, value in (("diff.external", "true"), ("core.bigFileThreshold", "10"), ("diff.noprefix", "true"),
                       ("diff.mnemonicPrefix", "true"), ("diff.renames", "copies"), ("core.quotePath", "false")):
        server.git("config", key, value)
    work.commit("config\n", {"c.env": KEY_LINE}, author=DANA, committer=DANA)
    rejected(spush(server, work, "origin", "main"), "secrets/aws-access-key", "c.env:1")


# -- 20. inline suppression variants ----------------------------------------------------------------------

def test_inline_ignore_spellings_and_places_cannot_silence_keys(tmp_path: Path) -> None:
    server, work = seeded(tmp_path, SECRETS_POLICY)
    comments = ["# gatekeeper:ignore[*]", "# GATEKEEPER: IGNORE[*]", "/* gatekeeper: ignore[*] */",
                "// gatekeeper: ignore[ secrets/* ]", "# gatekeeper: ignore", "# gatekeeper: ignore[SECRETS/*]",
                "# nosec gatekeeper: ignore[secrets]"]
    lines = [f"KEY{i} = '{AWS_KEY[:-2]}{i:02d}'  {c}" for i, c in enumerate(comments)]
    lines += ["# gatekeeper: ignore[*]", f"KEYX = '{AWS_KEY}'"]  # an ignore on the line before
    work.commit("config\n", {"s.py": "\n".join(lines) + "\n"}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    rejected(result, "secrets/aws-access-key")
    for number in range(1, len(comments) + 1):
        assert f" s.py:{number}: " in result.output, (number, result.output)
    assert f" s.py:{len(lines)}: " in result.output


# -- the policy file itself on the protected branch -------------------------------------------------------

def test_swapping_the_policy_file_for_another_kind_of_entry_is_a_policy_change(tmp_path: Path) -> None:
    server = make_server(tmp_path / "srv", server_side_policy=False)
    work = server.clone()
    work.commit("Add the policy\n", {".gatekeeper.yml": TEST_POLICY}, author=DANA, committer=DANA)
    assert spush(server, work, "origin", "main").code == 0
    base = work.head()
    readme = blob(work, "hello\n")
    weak = blob(work, TEST_POLICY.replace('"refs/heads/main", ', ""))
    swaps = {
        "delete": [("100644", "blob", readme, b"README")],
        "symlink-to-a-weaker-file": [("120000", "blob", blob(work, "weak.yml"), b".gatekeeper.yml"),
                                     ("100644", "blob", weak, b"weak.yml")],
        "directory": [("040000", "tree", mktree(work, [("100644", "blob", weak, b"x")]), b".gatekeeper.yml")],
        "gitlink": [("160000", "commit", "2" * 40, b".gatekeeper.yml")],
    }
    for how, entries in swaps.items():
        sha = commit_tree(work, mktree(work, entries), base, how)
        result = spush(server, work, "origin", f"{sha}:refs/heads/main", env={"GATEKEEPER_PUSHER": "dana"})
        assert "policy/changed" in result.output, (how, result.output)
        rejected(result)
        assert server.tip() == base
    rejected(spush(server, work, "origin", ":main"), "policy/ref-deletion")  # nor by deleting main
    assert server.tip() == base


def test_the_policy_on_an_unprotected_default_branch_is_still_trusted(tmp_path: Path) -> None:
    """HEAD names `develop`, which the policy does not protect: changing its policy in place, or rewinding
    it to an older, weaker policy, must not weaken what judges main."""
    server = make_server(tmp_path / "srv", server_side_policy=False)
    server.git("symbolic-ref", "HEAD", "refs/heads/develop")
    work = server.clone()
    weak = TEST_POLICY.replace('protected_refs: ["refs/heads/main", "refs/heads/release/*"]', "protected_refs: []")
    old = work.commit("Add a first policy\n", {".gatekeeper.yml": weak}, author=DANA, committer=DANA)
    assert spush(server, work, "origin", "HEAD:refs/heads/develop").code == 0
    strong = work.commit("Tighten\n\nReviewed-by: Rita Reviewer <rita@example.com>\n",
                         {".gatekeeper.yml": TEST_POLICY}, author=DANA, committer=DANA)
    rita = {"GATEKEEPER_PUSHER": "rita"}
    assert spush(server, work, "origin", "HEAD:refs/heads/develop", env=rita).code == 0
    assert spush(server, work, "origin", "HEAD:refs/heads/main", env=rita).code == 0
    work.commit("relax\n", {".gatekeeper.yml": weak}, author=DANA, committer=DANA)
    rejected(spush(server, work, "origin", "HEAD:refs/heads/develop"), "policy/changed")
    rejected(spush(server, work, "origin", f"+{old}:refs/heads/develop"), "policy/changed")  # a rewind
    assert server.tip("refs/heads/develop") == strong
    work.git("checkout", "-q", "-B", "x", strong)
    mobile = phone_commit(work)
    rejected(spush(server, work, "origin", "HEAD:refs/heads/main"), f"review/missing {mobile[:12]}")
    assert server.tip() == strong


# -- malformed objects and deep histories ------------------------------------------------------------------

def test_a_second_author_header_does_not_make_the_pusher_a_non_author(tmp_path: Path) -> None:
    """git reads the first `author` line: Rita authored this mobile commit and cannot review it herself."""
    server, work = seeded(tmp_path)
    base = work.head()
    tree = work.git("rev-parse", "HEAD^{tree}")
    body = (f"tree {tree}\nparent {base}\nauthor Rita Reviewer <rita@example.com> 1767225700 +0000\n"
            "author Mo Bile <mo@example.com> 1767225700 +0000\n"
            "committer Rita Reviewer <rita@example.com> 1767225700 +0000\n\n"
            "phone change\n\nOrigin-Device: mobile\nReviewed-by: Rita Reviewer <rita@example.com>\n")
    sha = work.git("hash-object", "-t", "commit", "-w", "--stdin", "--literally", input=body)
    rejected(spush(server, work, "origin", f"{sha}:refs/heads/main", env={"GATEKEEPER_PUSHER": "rita"}),
             f"review/self-approved {sha[:12]}")
    assert server.tip() == base


def test_a_mobile_commit_under_300_merges_is_judged(tmp_path: Path) -> None:
    server, work = seeded(tmp_path)
    base = work.head()
    mobile = phone_commit(work)
    tip, tree = mobile, work.git("rev-parse", "HEAD^{tree}")
    for i in range(300):
        tip = work.git("commit-tree", tree, "-p", tip, "-p", base, "-m", f"merge {i}")
    rejected(spush(server, work, "origin", f"{tip}:refs/heads/main"), f"review/missing {mobile[:12]}")


def test_a_mobile_commit_pushed_under_300_refs_at_once_is_judged(tmp_path: Path) -> None:
    server, work = seeded(tmp_path)
    base = work.head()
    mobile = phone_commit(work)
    specs = [f"HEAD:refs/heads/t{i}" for i in range(300)] + ["HEAD:refs/heads/main"]
    rejected(spush(server, work, "origin", *specs), f"review/missing {mobile[:12]}")
    assert server.tip() == base
    assert server.tip("refs/heads/t0") is None


def test_a_world_writable_cache_directory_cannot_hide_a_key(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o777)
    server, work = seeded(tmp_path, SECRETS_POLICY)
    work.commit("config\n", {"c.env": KEY_LINE}, author=DANA, committer=DANA)
    env = {"GATEKEEPER_CACHE_DIR": str(cache), "XDG_CACHE_HOME": str(cache)}
    rejected(spush(server, work, "origin", "main", env=env), "secrets/aws-access-key")


def test_a_watchdog_timeout_with_on_timeout_block_refuses(tmp_path: Path) -> None:
    policy = SECRETS_POLICY.replace("budget_seconds: 4.0", "budget_seconds: 0.3")
    server = make_server(tmp_path / "srv", policy=policy, watchdog=True)
    work = server.clone()
    work.commit("many\n", {f"f{i}.txt": "x\n" * 2000 for i in range(200)}, author=DANA, committer=DANA)
    work.commit("key\n", {"c.env": KEY_LINE}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    # Which clock runs out first depends on the machine: the watchdog kills a scan that overruns (its message
    # names on_timeout), or the engine finds the budget spent before the scan starts (tool/timeout). Either
    # way the push is refused as a timeout, never judged on a scan that did not finish.
    assert result.code != 0, result.output
    assert "(on_timeout: block)" in result.output or "tool/timeout" in result.output, result.output
    assert "secrets/" not in result.output
    assert server.tip() is None


# -- 22/23. review records a PR author could shape --------------------------------------------------------

@pytest.mark.parametrize("variant", ["author-login-upper-case", "author-login-title-case", "user-null",
                                     "bot-type-plain-login", "mannequin", "commit-id-null", "unrelated-commit",
                                     "changes-requested-at-the-same-second"])
def test_review_records_that_must_not_approve(gh: Env, httpserver: HTTPServer, pr_repo: dict[str, str],
                                              variant: str) -> None:
    head = pr_repo["head"]
    review = synthetic_review("bob", "APPROVED", head, rid=1)
    reviews: list[dict[str, Any]] = [review]
    if variant == "author-login-upper-case":
        review["user"]["login"] = "ALICE"
    elif variant == "author-login-title-case":
        review["user"]["login"] = "Alice"
    elif variant == "user-null":
        review["user"] = None
    elif variant == "bot-type-plain-login":
        review["user"].update(login="renovate", type="Bot")
    elif variant == "mannequin":
        review["user"]["type"] = "Mannequin"
    elif variant == "commit-id-null":
        review["commit_id"] = None
    elif variant == "unrelated-commit":
        review["commit_id"] = "f" * 40
    else:
        reviews = [synthetic_review("bob", "CHANGES_REQUESTED", head, rid=2, submitted_at="2026-01-01T00:00:05Z"),
                   synthetic_review("bob", "APPROVED", head, rid=1, submitted_at="2026-01-01T00:00:05Z")]
    serve_pr(httpserver, 7, [pr_repo["first"], head], reviews)
    result = gh.run("pull_request_review", pr_event(pr_repo, action="submitted"))
    assert result.return_value == ExitCode.BLOCKED, result.output
    assert gh.outputs()["decision"] == "block"


@pytest.mark.parametrize("variant", ["object-not-list", "item-not-object", "later-state-missing", "next-link-loops"])
def test_review_api_garbage_never_approves(gh: Env, httpserver: HTTPServer, pr_repo: dict[str, str],
                                           variant: str) -> None:
    head = pr_repo["head"]
    approval = synthetic_review("bob", "APPROVED", head, rid=1)
    reviews = httpserver.expect_request(f"/repos/{REPO}/pulls/7/reviews")
    if variant == "object-not-list":
        reviews.respond_with_json(approval)
    elif variant == "item-not-object":
        reviews.respond_with_json(["APPROVED", approval])
    elif variant == "later-state-missing":
        later = synthetic_review("bob", "CHANGES_REQUESTED", head, rid=2)
        del later["state"]
        reviews.respond_with_json([approval, later])
    else:
        url = httpserver.url_for(f"/repos/{REPO}/pulls/7/reviews")
        reviews.respond_with_json([], headers={"Link": f'<{url}>; rel="next"'})
    httpserver.expect_request(f"/repos/{REPO}/pulls/7/commits").respond_with_json(
        [synthetic_pull_commit(s, login="alice", email=ALICE[1]) for s in (pr_repo["first"], head)])
    result = gh.run("pull_request_review", pr_event(pr_repo, action="submitted"))
    assert result.return_value == ExitCode.BLOCKED, result.output


def test_an_api_commit_list_missing_a_commit_git_sees_blocks(gh: Env, httpserver: HTTPServer,
                                                             pr_repo: dict[str, str]) -> None:
    serve_pr(httpserver, 7, [pr_repo["head"]], [synthetic_review("bob", "APPROVED", pr_repo["head"], rid=1)])
    result = gh.run("pull_request_review", pr_event(pr_repo, action="submitted"))
    assert result.return_value == ExitCode.BLOCKED, result.output


# -- 16/25. hostile policy documents ------------------------------------------------------------------------

_LAUGHS = "".join(f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdef", "bcdefg"))


@pytest.mark.parametrize(("extra", "kind"), [
    ("a: &a [x, x, x, x, x, x, x, x, x]\n" + _LAUGHS, "alias-bomb"),
    ("x: " + "[" * 5000 + "]" * 5000 + "\n", "deep-nesting"),
    ("protected_refs: []\n", "duplicate-key"),
    ("on_timeout: !!binary d2Fybg==\n", "binary-tag"),
    ("protected_refs: !!set {refs/heads/x: null}\n", "set-tag"),
    ("on_timeout: !!python/name:os.system\n", "python-tag"),
    ("pre_receive: {budget_seconds: true}\n", "bool-as-number"),
    ("pre_receive: {budget_seconds: .inf}\n", "infinite"),
    ("pre_receive: {budget_seconds: -1}\n", "negative"),
    ("pre_receive: {budget_seconds: 1e400}\n", "overflow"),
    ("pre_receive: {budget_seconds: 0}\n", "zero"),
    ("on_timeout: Warn\n", "letter-case"),
    ("on_tool_error: \"warn\\0\"\n", "nul-in-value"),
    ("protected_refs: [\"refs/heads/main\\u202e\"]\n", "bidi-in-ref"),
])
def test_hostile_policy_documents_are_config_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    extra: str, kind: str) -> None:
    path = tmp_path / "policy.yml"
    path.write_text('version: 1\nprotected_refs: ["refs/heads/main"]\n' + extra)
    code = gatekeeper_cli(["policy", "check", str(path)])
    out = capsys.readouterr()
    assert code == ExitCode.CONFIG, (kind, code, out.out[-300:], out.err[-300:])
    assert "internal error" not in (out.out + out.err).lower()


def test_a_yaml_merge_key_cannot_override_an_explicit_protected_refs(tmp_path: Path) -> None:
    for text in ('version: 1\nprotected_refs: ["refs/heads/main"]\n<<: {protected_refs: []}\n',
                 'version: 1\n<<: {protected_refs: []}\nprotected_refs: ["refs/heads/main"]\n'):
        path = tmp_path / "policy.yml"
        path.write_text(text)
        assert load_policy_file(path).protected_refs == ("refs/heads/main",)


@pytest.mark.parametrize("glob", ["/src/payments/**", "./src/payments/**", "src/payments", "src//payments/**",
                                  "src/payments/", "src/./payments/**", "src/x/../payments/**"])
def test_zone_globs_are_refused_or_match_what_they_name(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        glob: str) -> None:
    path = tmp_path / "policy.yml"
    path.write_text('version: 1\nprotected_refs: ["refs/heads/main"]\n'
                    f'zones:\n  - {{name: payments, paths: ["{glob}"], mobile: block}}\n')
    code = gatekeeper_cli(["policy", "check", str(path)])
    capsys.readouterr()
    if code == ExitCode.OK:
        zone = load_policy_file(path).zones[0]
        assert any(glob_match(p, "src/payments/pay.py") for p in zone.paths), (glob, zone.paths)
    else:
        assert code == ExitCode.CONFIG


# -- 3/4. trailers read as git reads them -------------------------------------------------------------------

@pytest.mark.parametrize("message", [
    "Fix\n\nbody\n---\nmore\n\nOrigin-Device: mobile\n",
    "Fix\r\n\r\nOrigin-Device: mobile\r\n",
    "Fix\n\nOrigin-Device: mobile\n \n",
    "Fix\n\nOrigin-Device: mobile\n\nConflicts:\n\tfile.c\n",
    "Fix\n\nOrigin-Device: mobile\nSigned-off-by: A <a@b>\n(cherry picked from commit abc)\n",
    "Fix\n\nOrigin-Device:mobile\n",
    "Fix\n\nOrigin-Device : mobile\n",
    "Fix\n\nOrigin-Device\t: mobile\n",
    "Fix\n\nOrigin-Device: mobile\n  continued\n",
    "Fix\n\nfree text\nOrigin-Device: mobile\nSigned-off-by: A <a@b>\n",
    "Fix\n\nOrigin-Device: mobile\nnot a trailer line\nnot a trailer line 2\nnot a trailer line 3\n",
    "Fix\n\n[bracket] x\nOrigin-Device: mobile\n",
    "Fix\n\nOrigin-Device: mobile\n\x0c\n",
    "Fix\n\nOrigin-Device: mobile\n\t\n",
    "Fix\n\nOrigin-Device: mobile\n\n---\n",
    "Fix\n\nOrigin-Device: mobile\u2028\n",
    "Origin-Device: mobile\n",
])
def test_origin_trailers_agree_with_git(repo: RepoBuilder, message: str) -> None:
    sha = repo.raw_commit(message.encode())
    git_view = repo.git("log", "-1", "--format=%(trailers:key=Origin-Device,valueonly)", sha)
    ours = [t.value for t in parse_trailers(message) if t.key.lower() == "origin-device"]
    assert ("mobile" in git_view) == any("mobile" in v for v in ours), (message, git_view, ours)


@pytest.mark.parametrize("how", ["merge", "amend", "revert", "cherry-pick-x", "trailer-option", "three-m",
                                 "signoff", "fixup"])
def test_the_prepare_commit_msg_hook_tags_every_kind_of_commit_readably(tmp_path: Path, how: str) -> None:
    from gatekeeper.modes.install import install

    repo = RepoBuilder.init(tmp_path / "w")
    repo.commit("base\n", {"a.txt": "a\n"})
    repo.branch("side")
    side = repo.commit("side\n\nSigned-off-by: S <s@x>\n", {"b.txt": "b\n"})
    repo.checkout("main")
    repo.commit("main\n", {"c.txt": "c\n"})
    install(repo.path, "prepare-commit-msg")
    env = {"GIT_EDITOR": "true"}
    args = {"merge": ["merge", "-q", "--no-ff", "side"],
            "amend": ["commit", "-q", "--amend", "-m", "Amended", "-m", "#7 body"],
            "revert": ["revert", "--no-edit", "HEAD"],
            "cherry-pick-x": ["cherry-pick", "-x", side],
            "trailer-option": ["commit", "-q", "--allow-empty", "-m", "Fix", "--trailer", "Closes: #1"],
            "three-m": ["commit", "-q", "--allow-empty", "-m", "Fix", "-m", "Body", "-m", "Note: x\n#42"],
            "signoff": ["commit", "-q", "--allow-empty", "-s", "-m", "Fix", "-m", "#42"],
            "fixup": ["commit", "-q", "--allow-empty", "--fixup", "HEAD"]}[how]
    repo.git(*args, env=env)
    stored = repo.git("log", "-1", "--format=%B")
    assert "mobile" in repo.git("log", "-1", "--format=%(trailers:key=Origin-Device,valueonly)"), stored
    assert [t.value for t in parse_trailers(stored) if t.key.lower() == "origin-device"] == ["mobile"], stored
