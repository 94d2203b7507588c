"""fix133m: a merge whose result holds what git's own re-merge of its parents does not — main's fix undone by
taking an old side's version, a conflict resolved by "keep mine", a deleted key put back — is scanned as the
merge's own change, in every shape the merge's content can take (a conflicting re-merge, a rename, a binary file,
an octopus, a shallow clone), and an ordinary merge is not charged with main's history.

The red133 tests (tests/test_red133_hostile.py) hold the first shapes; these widen them to the class. Real
repositories, real pushes into a bare repository with the installed hook (tests/hook_helpers.py), the real
`gatekeeper check` with real semgrep and bandit. The key is built at run time (hook_helpers.AWS_KEY).
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from gatekeeper.git import Git
from gatekeeper.scan.added_lines import iter_commit_additions
from tests.hook_helpers import AWS_KEY, DANA, KEY_LINE, SECRETS_POLICY, TEST_POLICY, Server, make_server, spush
from tests.repo_builder import RepoBuilder
from tests.scan_helpers import ALL_SCANNERS_POLICY

DANA_ENV = {"GIT_AUTHOR_NAME": DANA[0], "GIT_AUTHOR_EMAIL": DANA[1], "GIT_COMMITTER_NAME": DANA[0],
            "GIT_COMMITTER_EMAIL": DANA[1]}
SAFE = "import ast\n\n\ndef calc(expr):\n    return ast.literal_eval(expr)\n"
VULNERABLE = "import sys\n\n\ndef calc(expr):\n    return eval(sys.argv[1])\n"
SETTINGS = "[aws]\nregion = eu-west-1\n"


def _server(tmp_path: Path, old_files: dict[str, str | bytes], fixed: dict[str, str | bytes],
            policy: str = SECRETS_POLICY) -> tuple[Server, RepoBuilder, str, str]:
    """A server whose main had `old_files` committed before the gate judged them, then `fixed` (a clean-up);
    the gate's policy is `policy` from then on. Returns (server, clone, old, fix)."""
    server = make_server(tmp_path / "srv", policy=TEST_POLICY)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"}, author=DANA, committer=DANA)
    old = work.commit("Add settings\n", old_files, author=DANA, committer=DANA)
    for path, content in fixed.items():
        if content == "":
            work.git("rm", "-q", "--", path)
        else:
            work.write(path, content)
            work.git("add", "--", path)
    fix = work.commit("settings: the key comes from the environment\n", author=DANA, committer=DANA)
    assert spush(server, work, "origin", "main").code == 0
    assert server.policy_file is not None
    server.policy_file.write_text(policy)
    return server, work, old, fix


def _refused(server: Server, result: Any, tip: str, rule: str = "secrets/aws-access-key") -> None:
    assert AWS_KEY not in result.output
    assert result.code != 0 and rule in result.output, f"the hook accepted it:\n{result.output}"
    assert server.tip() == tip


def test_a_conflict_resolved_keep_mine_that_puts_the_deleted_key_back_is_refused(tmp_path: Path) -> None:
    """A branch made before main deleted the key edits the same file; merging main conflicts and `checkout
    --ours` keeps the key: the key is in the merge's first parent, so it is no line "in none of the parents",
    and git's re-merge holds it inside its conflict region (unchanged by the resolution). A conflicting re-merge
    must not hide it: the lines the merge holds against either parent count."""
    server, work, old, fix = _server(tmp_path, {"settings.ini": "[aws]\n" + KEY_LINE}, {"settings.ini": "[aws]\n"})
    work.git("checkout", "-q", "-b", "topic", old)
    work.commit("settings: region\n", {"settings.ini": "[aws]\n" + KEY_LINE + "region = x\n"}, author=DANA,
                committer=DANA)
    work.git("merge", "-q", "--no-commit", fix, check=False)
    work.git("checkout", "--ours", "--", "settings.ini")
    work.git("add", "settings.ini")
    work.commit("Merge branch 'main' into topic\n", author=DANA, committer=DANA)
    _refused(server, spush(server, work, "origin", "topic"), fix)
    assert server.tip("refs/heads/topic") is None


def test_a_merge_taking_a_stale_branchs_renamed_file_with_the_key_is_refused(tmp_path: Path) -> None:
    """A branch renamed the file (with the key) before main removed the key, both pushed before the gate judged
    secrets; git's re-merge follows the rename and applies main's removal to the new name; the merge takes the
    branch's version instead. The combined diff hides it (it equals the branch's file), the re-merge does not."""
    server = make_server(tmp_path / "srv", policy=TEST_POLICY)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"}, author=DANA, committer=DANA)
    old = work.commit("Add settings\n", {"settings.ini": "[aws]\n" + KEY_LINE + "a = 1\nb = 2\nc = 3\n"},
                      author=DANA, committer=DANA)
    fix = work.commit("settings: no key\n", {"settings.ini": "[aws]\na = 1\nb = 2\nc = 3\n"}, author=DANA,
                      committer=DANA)
    work.git("checkout", "-q", "-b", "side", old)
    work.git("mv", "settings.ini", "conf.ini")
    work.commit("settings: rename\n", author=DANA, committer=DANA)
    assert spush(server, work, "origin", "main", "side").code == 0
    assert server.policy_file is not None
    server.policy_file.write_text(SECRETS_POLICY)
    side_blob = work.git("rev-parse", "HEAD:conf.ini")
    work.git("checkout", "-q", "-B", "merged", fix)
    work.git("merge", "-q", "--no-ff", "--no-commit", "side", check=False)
    assert work.git("rev-parse", ":conf.ini") != side_blob  # git's merge applied main's removal to the new name
    work.git("checkout", "side", "--", "conf.ini")
    work.git("add", "-A")
    work.commit("Merge branch 'side'\n", author=DANA, committer=DANA)
    # (To a branch of its own: a push to main would judge the side's commit again as it lands there.)
    _refused(server, spush(server, work, "origin", "merged"), fix)
    assert server.tip("refs/heads/merged") is None


def test_a_merge_putting_back_a_deleted_binary_file_with_the_key_is_refused(tmp_path: Path) -> None:
    """The deleted file is binary (git shows "Binary files differ"): the merge that takes it back from main's
    old commit is read from the object store, and its key counts although a parent (the old commit) has it."""
    blob = b"\x00\x01\x02keystore\x00" + KEY_LINE.encode() + b"\x00\xff"
    server, work, old, fix = _server(tmp_path, {"creds.bin": blob, "settings.ini": SETTINGS}, {"creds.bin": ""})
    work.git("checkout", "-q", old, "--", "creds.bin")
    tree = work.git("write-tree")
    merge = work.git("commit-tree", tree, "-p", fix, "-p", old, "-m", "Merge old work", env=DANA_ENV)
    _refused(server, spush(server, work, "origin", f"{merge}:refs/heads/main"), fix)


def test_an_octopus_merge_putting_back_the_deleted_key_is_refused(tmp_path: Path) -> None:
    """git does not re-merge an octopus (more than two parents): such a merge's lines are those it holds against
    any of its parents — more scanning, never less."""
    server, work, old, fix = _server(tmp_path, {"settings.ini": "[aws]\n" + KEY_LINE}, {"settings.ini": "[aws]\n"})
    work.git("checkout", "-q", "-b", "other", fix)
    other = work.commit("docs\n", {"docs.md": "d\n"}, author=DANA, committer=DANA)
    work.git("checkout", "-q", old, "--", "settings.ini")
    tree = work.git("write-tree")
    merge = work.git("commit-tree", tree, "-p", fix, "-p", other, "-p", old, "-m", "Merge three", env=DANA_ENV)
    _refused(server, spush(server, work, "origin", f"{merge}:refs/heads/main"), fix)


def test_a_merge_onto_an_already_pushed_branch_that_keeps_its_side_is_refused(tmp_path: Path) -> None:
    """The branch made before the fix was pushed first (its own commit adds no key), so the merge is the only new
    commit and its range has two unrelated boundaries (the branch's tip and main's): neither boundary rule nor
    the combined diff sees the key the merge keeps against main."""
    server, work, old, fix = _server(tmp_path, {"settings.ini": "[aws]\n" + KEY_LINE}, {"settings.ini": "[aws]\n"})
    work.git("checkout", "-q", "-b", "topic", old)
    work.commit("docs\n", {"docs.md": "d\n"}, author=DANA, committer=DANA)
    assert spush(server, work, "origin", "topic").code == 0
    work.git("merge", "-q", "--no-commit", "--no-ff", fix, check=False)
    work.git("checkout", "topic", "--", "settings.ini")
    work.git("add", "settings.ini")
    work.commit("Merge branch 'main' into topic\n", author=DANA, committer=DANA)
    pushed = server.tip("refs/heads/topic")
    _refused(server, spush(server, work, "origin", "topic"), fix)
    assert server.tip("refs/heads/topic") == pushed


def test_an_ordinary_merge_of_main_is_not_charged_with_mains_key(tmp_path: Path) -> None:
    """No false positive: main still holds a key committed before the gate; a branch merging main (clean, and
    with a conflict in another file resolved with a new line) is pushed; the merge added none of main's lines,
    and the hook accepts it."""
    server, work, _, fix = _server(tmp_path, {"settings.ini": "[aws]\n" + KEY_LINE, "notes.md": "one\n"},
                                   {"notes.md": "two\n"})
    work.git("checkout", "-q", "-b", "topic", "HEAD~1")
    work.commit("notes\n", {"notes.md": "three\n", "app.py": "X = 1\n"}, author=DANA, committer=DANA)
    work.git("merge", "-q", "--no-commit", fix, check=False)
    work.write("notes.md", "two and three\n")
    work.git("add", "notes.md")
    work.commit("Merge branch 'main' into topic\n", author=DANA, committer=DANA)
    result = spush(server, work, "origin", "topic")
    assert result.code == 0, result.output


def test_the_merges_own_additions_are_given_once_with_the_combined_diffs(tmp_path: Path) -> None:
    """iter_commit_additions (the hook's, check's and the Action's per-commit lines): an evil merge's line in
    none of its parents is given once, the line it takes back from an old parent is given too."""
    repo = RepoBuilder.init(tmp_path / "repo")
    repo.commit("base\n", {"a.txt": "1\n2\n3\n"}, author=DANA, committer=DANA)
    old = repo.commit("old\n", {"b.txt": "old\n"}, author=DANA, committer=DANA)
    fix = repo.commit("fix\n", {"b.txt": "new\n"}, author=DANA, committer=DANA)
    repo.write("a.txt", "1\nevil\n2\n3\n")
    repo.git("checkout", "-q", old, "--", "b.txt")
    repo.git("add", "-A")
    merge = repo.git("commit-tree", repo.git("write-tree"), "-p", fix, "-p", old, "-m", "m", env=DANA_ENV)
    given = [(p.path, n, text) for c, p in iter_commit_additions(Git(repo.path), [merge]) for n, text in p.added]
    assert sorted(given) == [("a.txt", 2, "evil"), ("b.txt", 1, "old")], given


def test_a_shallow_clones_merge_without_a_merge_base_still_gives_the_line(tmp_path: Path) -> None:
    """CI's shallow clone (fetch-depth 2): the merge and its parents are there, their history is not, so git's
    re-merge finds no merge base and conflicts everywhere. Neither a crash nor a lost line: the sink the merge
    takes back from main's old commit is among its additions."""
    repo = RepoBuilder.init(tmp_path / "origin")
    repo.commit("base\n", {"README.md": "x\n"}, author=DANA, committer=DANA)
    old = repo.commit("Add calc\n", {"calc.py": VULNERABLE}, author=DANA, committer=DANA)
    repo.commit("more\n", {"more.md": "m\n"}, author=DANA, committer=DANA)
    fix = repo.commit("calc: no eval\n", {"calc.py": SAFE}, author=DANA, committer=DANA)
    repo.git("checkout", "-q", old, "--", "calc.py")
    merge = repo.git("commit-tree", repo.git("write-tree"), "-p", fix, "-p", old, "-m", "Merge old work",
                     env=DANA_ENV)
    repo.git("update-ref", "refs/heads/main", merge)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "2", f"file://{repo.path}", str(clone)], check=True)
    assert (clone / ".git" / "shallow").exists()
    given = [(p.path, n, text) for _, p in iter_commit_additions(Git(clone), [merge]) for n, text in p.added]
    assert ("calc.py", 5, "    return eval(sys.argv[1])") in given, given


def test_semgrep_in_the_hook_reads_the_sink_a_merge_keeps_against_main(tmp_path: Path) -> None:
    """The head scanners (semgrep, bandit) in the hook, same shape: the branch made before main's fix was pushed
    first, the merge of main that keeps the branch's calc.py is the only new commit. Its range's two boundaries
    (the branch's tip, main's) are unrelated, and the branch's tip holds the sink: the line counts because the
    merge chose it over git's re-merge, which holds main's fix."""
    policy = ALL_SCANNERS_POLICY.replace("pre_receive: {budget_seconds: 4.0, scanners: [], defer: []}",
                                         "pre_receive: {budget_seconds: 4.5, scanners: [secrets, semgrep, bandit], "
                                         "defer: []}")
    assert policy != ALL_SCANNERS_POLICY
    server, work, old, fix = _server(tmp_path, {"calc.py": VULNERABLE}, {"calc.py": SAFE}, policy=policy)
    work.git("checkout", "-q", "-b", "topic", old)
    work.commit("docs\n", {"docs.md": "d\n"}, author=DANA, committer=DANA)
    assert spush(server, work, "origin", "topic").code == 0
    pushed = server.tip("refs/heads/topic")
    work.git("merge", "-q", "--no-commit", "--no-ff", fix, check=False)
    work.git("checkout", "topic", "--", "calc.py")
    work.git("add", "calc.py")
    work.commit("Merge branch 'main' into topic\n", author=DANA, committer=DANA)
    result = spush(server, work, "origin", "topic")
    assert result.code != 0 and "calc.py:5" in result.output, result.output
    assert server.tip("refs/heads/topic") == pushed
