"""Added-line maps from real git patches: per commit, net at head, merges, hostile paths and bytes."""

from __future__ import annotations

from gatekeeper.git import Git
from gatekeeper.scan.added_lines import boundary, iter_commit_additions, parse_patch, range_additions
from tests.repo_builder import RepoBuilder


def test_each_commit_keeps_its_own_additions(repo: RepoBuilder) -> None:
    repo.commit("base", {"a.txt": "one\ntwo\n"})
    c1 = repo.commit("add", {"a.txt": "one\nSECRET\ntwo\n"})
    c2 = repo.commit("remove", {"a.txt": "one\ntwo\nthree\n"})
    got = {(c, p.path): p.added for c, p in iter_commit_additions(Git(repo.path), [c1, c2])}
    assert got[(c1, "a.txt")] == ((2, "SECRET"),)
    assert got[(c2, "a.txt")] == ((3, "three"),)


def test_net_additions_exclude_preexisting_and_removed_lines(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"a.py": "x = 1\ny = 2\n"})
    repo.commit("c1", {"a.py": "x = 1\nnew = 3\ny = 2\ngone = 4\n"})
    head = repo.commit("c2", {"a.py": "x = 1\nnew = 3\ny = 2\n"})
    net = range_additions(Git(repo.path), [base], head)
    assert net[b"a.py"].line_numbers == {2}


def test_root_range_is_everything(repo: RepoBuilder) -> None:
    head = repo.commit("root", {"a.py": "a\nb\n"})
    assert range_additions(Git(repo.path), [], head)[b"a.py"].line_numbers == {1, 2}


def test_merge_counts_only_lines_in_no_parent(repo: RepoBuilder) -> None:
    repo.commit("base", {"f.txt": "a\n"})
    repo.branch("side")
    repo.commit("side", {"f.txt": "a\nside\n"})
    repo.checkout("main")
    repo.commit("main", {"g.txt": "g\n"})
    repo.git("merge", "-q", "--no-ff", "--no-commit", "side")
    repo.write("f.txt", "a\nside\nevil\n")
    repo.git("add", "f.txt")
    repo.git("commit", "-q", "-m", "merge")
    merge = repo.head()
    patches = [p for c, p in iter_commit_additions(Git(repo.path), [merge])]
    assert [(p.path, p.added) for p in patches] == [("f.txt", ((3, "evil"),))]


def test_boundary_of_a_range_with_a_merged_outside_branch() -> None:
    parents = {"m": ("c1", "outside"), "c1": ("base",)}
    assert boundary(parents) == ("outside", "base")


def test_net_additions_with_two_boundaries_blame_only_new_lines(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"f.txt": "a\n"})
    repo.branch("outside")
    outside = repo.commit("outside", {"f.txt": "a\nfrom-outside\n"})
    repo.checkout("main")
    repo.commit("mine", {"g.txt": "mine\n"})
    repo.merge("outside")
    repo.commit("after", {"f.txt": "a\nfrom-outside\nnew\n"})
    git = Git(repo.path)
    net = range_additions(git, [base, outside], git.resolve("HEAD"))
    assert net[b"f.txt"].line_numbers == {3}
    assert net[b"g.txt"].line_numbers == {1}


def test_hostile_paths_and_bytes(repo: RepoBuilder) -> None:
    repo.commit("base", {"keep": "k\n"})
    head = repo.commit("odd", {"new\nline.py": "x = 1\n", "-rf": b"\xff\xfe bad\n", "sp ace.txt": "s\n",
                               'q"uote\\.txt': "q\n", "\u00e9t\u00e9.txt": "e\n"})
    got = {p.key: p.added for _, p in iter_commit_additions(Git(repo.path), [head])}
    assert got[b"new\nline.py"] == ((1, "x = 1"),)
    assert got[b"-rf"] == ((1, "\ufffd\ufffd bad"),)
    assert got[b"sp ace.txt"] == ((1, "s"),)
    assert got[b'q"uote\\.txt'] == ((1, "q"),)
    assert got["\u00e9t\u00e9.txt".encode()] == ((1, "e"),)


def test_an_added_line_that_looks_like_a_header_is_content(repo: RepoBuilder) -> None:
    repo.commit("base", {"a": "x\n"})
    sha = "0123456789abcdef0123456789abcdef01234567"
    head = repo.commit("tricky", {"a": f"x\n{sha}\n\ndiff --git a/b b/b\n@@ -1 +1 @@\n+++ b/c\n"})
    (commit, patch), = list(iter_commit_additions(Git(repo.path), [head]))
    assert commit == head and patch.path == "a"
    assert [n for n, _ in patch.added] == [2, 3, 4, 5, 6]


def test_per_file_cap_truncates_and_says_so(repo: RepoBuilder) -> None:
    head = repo.commit("big", {"a.txt": "".join(f"line {i}\n" for i in range(1000))})
    (_, patch), = list(iter_commit_additions(Git(repo.path), [head], max_file_bytes=1_000_000, max_file_lines=10))
    assert patch.truncated and len(patch.added) == 10


def test_file_over_the_size_threshold_is_binary_not_streamed(repo: RepoBuilder) -> None:
    head = repo.commit("big", {"big.txt": "y = 2\n" * 10_000, "small.txt": "s\n"})
    got = {p.path: p for _, p in iter_commit_additions(Git(repo.path), [head], max_file_bytes=1000)}
    assert got["big.txt"].binary and not got["big.txt"].added
    assert got["small.txt"].added == ((1, "s"),)


def test_parser_handles_no_newline_marker_and_deletions() -> None:
    lines = [b"diff --git a/x b/x\n", b"deleted file mode 100644\n", b"--- a/x\n", b"+++ /dev/null\n",
             b"@@ -1 +0,0 @@\n", b"-gone\n", b"diff --git a/y b/y\n", b"--- a/y\n", b"+++ b/y\n",
             b"@@ -1 +1 @@\n", b"-old\n", b"+new\n", b"\\ No newline at end of file\n"]
    got = [(p.path, p.deleted, p.added) for _, p in parse_patch(lines)]
    assert got == [("x", True, ()), ("y", False, ((1, "new"),))]


def _lock(count: int, seed: int) -> str:
    """A lock-file-like text of `count` distinct lines."""
    import random

    rng = random.Random(seed)
    return "".join(f'  "pkg-{rng.randrange(10**9)}": "{rng.randrange(10**6)}",\n' for _ in range(count))


_LIMITED = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (512 << 20, 512 << 20))
from pathlib import Path
from gatekeeper.git import Git
from gatekeeper.scan.added_lines import iter_commit_additions, range_additions
git = Git(Path(sys.argv[1]))
merge, first, second = sys.argv[2:5]
each = [(c, p.path, len(p.added), p.binary, p.truncated) for c, p in iter_commit_additions(git, [merge])]
net = {k.decode(): len(p.line_numbers) for k, p in range_additions(git, [first, second], merge).items()}
print(each, net)
"""


def test_a_merge_unlike_both_parents_costs_git_little_memory(repo: RepoBuilder) -> None:
    """A merge whose lock file (3,000 lines) shares no line with either parent's (20,000 lines each): git's combined
    diff (`--cc`) keeps, per line of the result, the lines each parent lost there and coalesces them in a table of
    both counts — 24 GB for such a merge in a real history (continuedev/continue c2184380), an out-of-memory kill of
    the server a pusher could cause with one merge. Read one parent at a time, it takes what two plain diffs take:
    here, under a 512 MiB address-space limit (which the combined diff fails: `Out of memory, calloc failed`)."""
    import subprocess
    import sys

    repo.commit("base", {"lock.json": _lock(50, 0)})
    repo.branch("side")
    second = repo.commit("side", {"lock.json": _lock(20_000, 1)})
    repo.checkout("main")
    first = repo.commit("main", {"lock.json": _lock(20_000, 2)})
    repo.git("merge", "-q", "--no-commit", "-s", "ours", "side")
    repo.write("lock.json", _lock(3_000, 3))
    repo.git("add", "lock.json")
    repo.git("commit", "-q", "-m", "merge: regenerate the lock file")
    merge = repo.head()
    proc = subprocess.run([sys.executable, "-c", _LIMITED, str(repo.path), merge, first, second],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == f"[('{merge}', 'lock.json', 3000, False, False)] {{'lock.json': 3000}}"


def test_a_merge_reads_the_lines_of_its_result_where_they_are(repo: RepoBuilder) -> None:
    """The shape of a real merge (cline 746d13719cd0): one parent rewrote a block, the other replaced it by two
    calls, the merge kept the second and added a third. git's combined diff numbers the hunk from the line before
    it (`+31,3` for lines 32..34; 24 of 433 added lines in another cline merge, dbc73b62b6e5). The net lines of a
    range with several boundary commits are read one boundary at a time, each numbered at its place in the head's
    version, so semgrep's and bandit's findings there are matched to the right lines; per commit (the secrets
    scan, which reads the text) the lines are the right ones, whichever way they were read."""
    pre = "".join(f"line {i}\n" for i in range(30))
    post = "".join(f"tail {i}\n" for i in range(10))
    repo.commit("base", {"f.ts": pre + "\treturn (\n\t\tx;\n" + post})
    repo.branch("side")
    second = repo.commit("side", {"f.ts": pre + "\treturn (\n\t\tisImageDed(m) ||\n\t\tisVideoDed(m);\n" + post})
    repo.checkout("main")
    first = repo.commit("main", {"f.ts": pre + "\tconst d = use(\n\t\tm,\n\t);\n\treturn (\n\t\td ||\n"
                                 "\t\tisAudio(m) ||\n\t\tisImage(m) ||\n\t\tisVideo(m);\n" + post})
    repo.git("merge", "-q", "--no-commit", "side", check=False)
    text = pre + "\treturn (\n\t\tisImageDed(m) ||\n\t\tisVideoDed(m) ||\n\t\tisAudioDed(m);\n" + post
    repo.write("f.ts", text)
    repo.git("add", "f.ts")
    repo.git("commit", "-q", "-m", "merge")
    merge = repo.head()
    git = Git(repo.path)
    (patch, kept) = [p for c, p in iter_commit_additions(git, [merge]) if c == merge]
    # In neither parent: `isVideoDed(m) ||` (line 33; the side has it with `;`) and `isAudioDed(m);` (line 34).
    assert [t for _, t in patch.added] == ["\t\tisVideoDed(m) ||", "\t\tisAudioDed(m);"]
    # Then (fix133m) the lines the merge kept of git's conflicted re-merge, from either side: the side's.
    assert kept.added == ((32, "\t\tisImageDed(m) ||"),)
    assert range_additions(git, [first, second], merge)[b"f.ts"].line_numbers == {33, 34}
    from gatekeeper.scan.added_lines import _additions_by_parent

    (exact,) = [p for c, p in _additions_by_parent(git, [merge], max_file_bytes=1 << 20, max_file_lines=1000)]
    assert exact.added == ((33, "\t\tisVideoDed(m) ||"), (34, "\t\tisAudioDed(m);"))
