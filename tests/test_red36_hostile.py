"""Red team (red36) against `audit --since` (History.since_window, run_audit's window filter) and the start-up
changes of f75dd18 (safe()'s printable-ASCII shortcut, ai._outside_block's one-entry cache, one for-each-ref for
refs/heads, refs/remotes and refs/notes). Real repositories throughout.

Failing tests are findings (see each docstring: what a hostile pusher gains, severity); the others are controls
pinning what held."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.cli import run
from gatekeeper.models import Commit, Person
from gatekeeper.origin import ai as ai_mod
from gatekeeper.origin.ai import AICoauthorDetector, AIMarkerDetector
from gatekeeper.origin.base import OriginContext
from tests.audit_helpers import AI, OLD, RECENT, SINCE, audit, subjects, unreviewed
from tests.hook_helpers import make_server, spush
from tests.repo_builder import RepoBuilder

# -- findings ---------------------------------------------------------------------------------------------------

def test_a_backdated_commit_on_a_recent_commit_of_the_excluded_side_stays_in_the_window(
        repo: RepoBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    """FINDING (medium): `--rev-range A..B --since D` hides a provably backdated commit.

    since_window only counts a commit as "above the window" when one of its parents is *in the walked range*.
    A commit of B whose parent is a recent commit of A (e.g. the release tag the auditor starts from) has its
    parents printed by `rev-list --parents`, but they are not in `window`, so the commit is dropped although
    its own parent, dated after D, proves it was backdated (the very rule the change documents: "a commit is
    made after its parents"). The attacker pushes unreviewed AI commits dated 1999 directly on top of the
    release: `audit --rev-range v1..main --since <release date>` says "the range holds no commits", while the
    same range without --since lists both as unreviewed AI on main."""
    repo.commit("ancient", when=OLD)
    repo.commit("release", when=RECENT)
    repo.git("tag", "v1")
    repo.commit("agent one" + AI, when=OLD + 60)
    repo.commit("agent two" + AI, when=OLD + 120)
    whole = audit(capsys, repo.path, "--rev-range", "v1..main")
    assert unreviewed(whole) == {"agent one", "agent two"}
    windowed = audit(capsys, repo.path, "--rev-range", "v1..main", "--since", SINCE)
    assert sorted(subjects(windowed)) == ["agent one", "agent two"], windowed["summary"]["notes"]
    assert unreviewed(windowed) == {"agent one", "agent two"}


def test_an_object_missing_far_below_the_since_window_does_not_sink_the_audit(
        repo: RepoBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    """FINDING (medium, availability/regression): with --since, one unreadable commit anywhere in the range
    (however far below the date) now aborts the whole audit with exit 4 and no report (the JSON on stdout is
    cut after its header).

    since_window runs `rev-list` over the whole range before the walk and outside run_audit's
    `except GitError` (which turns a stopped walk into a partial report with a note). Before 66020d6, git's own
    --since never reached the damaged commit and the window was reported whole; without --since the audit still
    reports what it read. Whoever can leave one damaged/missing object deep in history (a damaged mirror, a
    lost alternate, a partial fetch) turns every `--since` audit of that repository, e.g. a scheduled weekly
    one, into a failure that lists none of the unreviewed AI commits of the window."""
    repo.commit("ancient", when=OLD)
    damaged = repo.commit("old two", when=OLD + 60)
    repo.commit("old three", when=OLD + 120)
    repo.commit("agent" + AI, when=RECENT)
    (repo.path / ".git" / "objects" / damaged[:2] / damaged[2:]).unlink()
    code = run(["audit", "--repo", str(repo.path), "--format", "json", "--no-progress", "--since", SINCE])
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    assert subjects(data) == ["agent"]
    assert unreviewed(data) == {"agent"}


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"], ids=["LS", "PS", "NEL"])
def test_a_branch_whose_name_continues_mains_after_a_unicode_line_break_does_not_move_main(
        repo: RepoBuilder, capsys: pytest.CaptureFixture[str], separator: str) -> None:
    """FINDING (high; in Git.refs, which the one-for-each-ref snapshot of f75dd18 now feeds to protected_tips
    and the notes list): Git.refs splits for-each-ref's output with str.splitlines(), which also breaks at
    U+2028, U+2029 and U+0085 (NEL). git allows those in ref names (only ASCII controls are refused), so
    `refs/heads/main<U+2028>x` is read as a second `refs/heads/main`, and, sorted after the real one, its
    object wins. A pusher who can create any branch points `main<U+2028>x` at an old commit of main: every
    later commit of main is then "not on a protected branch", and unreviewed AI/mobile commits on main vanish
    from `unreviewed_mobile_ai_on_protected`."""
    base = repo.commit("base", when=RECENT)
    repo.commit("agent on main" + AI, when=RECENT + 60)
    repo.git("update-ref", f"refs/heads/main{separator}x", base)
    data = audit(capsys, repo.path)
    assert {c["subject"]: c["protected"] for c in data["commits"]} == {"base": True, "agent on main": True}
    assert unreviewed(data) == {"agent on main"}


def test_the_unicode_line_break_branch_is_pushable_through_the_hook_and_hides_mains_ai_commit(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """FINDING (high), end to end: the branch above is accepted by the gate's own pre-receive hook (it brings
    no new commit), and the audit of the server then reports main's unreviewed AI commit as off every
    protected branch (not listed)."""
    server = make_server(tmp_path / "srv")
    clone = server.clone()
    base = clone.commit("base", when=RECENT)
    assert spush(server, clone, "origin", "HEAD:refs/heads/main").code == 0
    clone.commit("agent work" + AI, when=RECENT + 60)
    assert spush(server, clone, "origin", "HEAD:refs/heads/main").code == 0
    assert spush(server, clone, "origin", f"{base}:refs/heads/main\u2028x").code == 0
    assert server.policy_file is not None
    data = audit(capsys, server.path, "--policy", str(server.policy_file))
    assert {c["subject"]: c["protected"] for c in data["commits"]} == {"base": True, "agent work": True}
    assert unreviewed(data) == {"agent work"}


# -- controls (held) ----------------------------------------------------------------------------------------------

def test_control_an_old_octopus_with_one_recent_parent_is_in_the_window(
        repo: RepoBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    """Held: a backdated octopus merge is above the window when any one of its parents is in it, and so is every
    commit above it; git's own --since would show only the top."""
    root = repo.commit("root", when=OLD)
    for name in ("a", "b"):
        repo.branch(name, root)
        repo.commit(f"side {name}", when=OLD + 60)
    repo.branch("c", root)
    repo.commit("agent side" + AI, when=RECENT)
    repo.checkout("main")
    env = {"GIT_AUTHOR_DATE": f"{OLD + 600} +0000", "GIT_COMMITTER_DATE": f"{OLD + 600} +0000"}
    repo.git("merge", "-q", "--no-ff", "-m", "octopus", "a", "b", "c", env=env)
    repo.commit("top", when=RECENT + 60)
    data = audit(capsys, repo.path, "--since", SINCE)
    assert subjects(data) == ["top", "octopus", "agent side"]
    assert repo.git("log", "--format=%s", f"--since={SINCE}").splitlines() == ["top"]
    # The octopus's two old sides and agent side's old parent: the window rests on three older commits, said.
    assert any(n.startswith("the window rests on 3 commits") for n in data["summary"]["notes"])


def test_control_every_ref_with_tags_on_trees_and_blobs_and_unreadable_commit_times(
        repo: RepoBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    """Held: --all --since with tags naming a tree and a blob (lightweight and annotated) and commits whose
    committer time is huge, negative, not a number or zero, on top of a recent commit: no crash; those on the
    recent commit with a time git reads as before the date are counted as backdated and audited."""
    repo.commit("old", when=OLD)
    recent = repo.commit("recent agent" + AI, when=RECENT)
    tree = repo.git("rev-parse", "HEAD^{tree}")
    repo.git("tag", "treetag", tree)
    repo.git("tag", "-a", "-m", "t", "annotree", tree)
    repo.git("tag", "blobtag", repo.git("hash-object", "-w", "--stdin", input="hi\n"))
    for i, stamp in enumerate(("99999999999999999999999", "-5", "abc", "0")):
        body = (f"tree {tree}\nparent {recent}\nauthor A <a@x> {OLD} +0000\ncommitter A <a@x> {stamp} +0000\n\n"
                f"weird {stamp}" + AI)
        sha = repo.git("hash-object", "-t", "commit", "-w", "--stdin", "--literally", input=body)
        repo.git("update-ref", f"refs/heads/w{i}", sha)
    data = audit(capsys, repo.path, "--all", "--since", SINCE)
    assert sorted(subjects(data)) == sorted(["recent agent", "weird 99999999999999999999999", "weird -5",
                                             "weird abc", "weird 0"])
    assert any(n.startswith("2 commit(s) carry a commit time before") for n in data["summary"]["notes"])


def test_control_a_deleted_notes_ref_during_the_since_prepass_is_read_as_empty(
        repo: RepoBuilder, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Held: the refs snapshot is now taken before since_window's whole-range pass; a notes ref deleted in that
    gap (a push racing the audit) is read as holding no note, not a crash."""
    from gatekeeper.git import Git

    first = repo.commit("one", when=RECENT)
    repo.commit("two", when=RECENT + 60)
    repo.note(first, "Origin-Device: mobile")
    real = Git.since_window

    def racing(self: Any, *args: Any, **kwargs: Any) -> Any:
        repo.git("update-ref", "-d", "refs/notes/origin")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Git, "since_window", racing)
    data = audit(capsys, repo.path, "--since", SINCE)
    assert subjects(data) == ["two", "one"]


def test_control_outside_block_cache_never_answers_for_an_equal_but_different_commit() -> None:
    """Held: the one-entry cache is keyed by identity and holds its commit alive (no id reuse); two commits with
    the same sha, people and times but different messages get their own answers, in either order."""
    person = Person("Dev", "dev@example.com")
    plain = Commit("a" * 40, (), person, person, RECENT, RECENT, "fix\n\nnothing here: really\n")
    marked = Commit("a" * 40, (), person, person, RECENT, RECENT,
                    "fix\n\nAssisted-by: claude-code:opus\n\nmore text after\n")

    ctx = OriginContext()
    for order in ((plain, marked), (marked, plain)):
        for commit in order:
            found = list(AIMarkerDetector().detect(commit, ctx)) + list(AICoauthorDetector().detect(commit, ctx))
            assert bool(found) == (commit is marked), (commit.message, found)
    assert ai_mod._LAST_OUTSIDE[0] is plain


def test_control_safe_shortcut_matches_the_patterns_on_printable_ascii_with_limits() -> None:
    """Held: every printable-ASCII text safe() returns unchanged is what the regex passes return, limits
    included (the shortcut only skips work)."""
    from gatekeeper import sanitize

    texts = ["", " ", "~", "ESC[31m", "a" * 300, "".join(chr(c) for c in range(0x20, 0x7f))]
    for text in texts:
        for single in (True, False):
            for limit in (None, 0, 1, 5, 1000):
                slow = sanitize._CONTROL_ALL.sub(" ", text) if single else sanitize._CONTROL.sub("", text)
                slow = sanitize._BIDI.sub("", sanitize._ANSI.sub("", slow))
                expected = slow if limit is None else sanitize.clip(slow, limit)
                assert sanitize.safe(text, single_line=single, limit=limit) == expected


def test_control_protected_tips_from_the_snapshot_ignore_dangling_and_foreign_origin_head(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Held: refs/remotes/origin/HEAD as a plain (non-symbolic) ref, or as a symref to refs/heads/main, does not
    change which commits count as protected."""
    src = RepoBuilder.init(tmp_path / "src")
    src.commit("base", when=RECENT)
    src.commit("agent" + AI, when=RECENT + 60)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(src.path), str(clone)], check=True, env=os.environ)
    work = RepoBuilder(clone)
    expected = {"agent"}
    for setup in (("update-ref", "--no-deref", "refs/remotes/origin/HEAD", "HEAD"),
                  ("symbolic-ref", "refs/remotes/origin/HEAD", "refs/heads/main")):
        work.git("symbolic-ref", "--delete", "refs/remotes/origin/HEAD", check=False)
        work.git("update-ref", "-d", "--no-deref", "refs/remotes/origin/HEAD", check=False)
        work.git(*setup)
        data = audit(capsys, clone)
        assert unreviewed(data) == expected
        assert all(c["protected"] for c in data["commits"])


def test_pre_push_lines_end_at_gits_newline_only() -> None:
    """The fix's other reader of ref names from git: pre-push stdin. A ref name holding U+2028 or U+0085 is one
    name on one line, not a second line that fails the whole push as malformed."""
    from gatekeeper.hookinput import parse_pre_push

    zero, sha = "0" * 40, "a" * 40
    lines = parse_pre_push(f"refs/heads/x\u2028y {sha} refs/heads/main\x85x {zero}\n".encode())
    assert [(p.local_ref, p.remote_ref) for p in lines] == [("refs/heads/x\u2028y", "refs/heads/main\x85x")]
    assert parse_pre_push(b"") == []


def test_pre_push_keeps_names_that_are_not_utf8_apart() -> None:
    from gatekeeper.hookinput import parse_pre_push

    zero, sha = "0" * 40, "a" * 40
    lines = parse_pre_push(b"refs/heads/r\xfe " + sha.encode() + b" refs/heads/r\xff " + zero.encode() + b"\n")
    assert [(p.local_ref, p.remote_ref) for p in lines] == [("refs/heads/r\\xfe", "refs/heads/r\\xff")]
