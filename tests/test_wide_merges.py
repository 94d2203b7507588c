"""Merges with many parents: each parent costs a pusher 41 bytes that delta-compress to nearly nothing, and
cost git's combined diff a whole tree comparison. Beyond WIDE_MERGE_PARENTS parents a merge is diffed
against its first WIDE_MERGE_PARENTS only, which shows every line the full combined diff shows and more;
these tests hold both halves: the cost stays per merge, and nothing such a merge adds goes unscanned."""

from __future__ import annotations

import os
import subprocess
import tracemalloc
from pathlib import Path

from gatekeeper.git import Git
from gatekeeper.git.diff import WIDE_MERGE_PARENTS
from gatekeeper.scan.added_lines import range_additions
from tests.hook_helpers import (
    AWS_KEY,
    KEY_LINE,
    SECRETS_POLICY,
    PushResult,
    make_server,
    refused_for_time_only,
    rejected,
    retried_for_time,
    seeded,
    spush,
)
from tests.machine import alone
from tests.repo_builder import RepoBuilder, wide_octopus_history
from tests.test_adversarial import blob, mktree

DANA = ("Dana Developer", "dana@example.com")


def _sides(work: RepoBuilder, base: str, count: int) -> list[str]:
    tips = []
    for n in range(count):
        work.git("checkout", "-q", "-B", f"s{n}", base)
        tips.append(work.commit(f"side {n}\n", {f"s{n}.txt": f"side {n}\n"}, author=DANA, committer=DANA))
    return tips


def _octopus(work: RepoBuilder, parents: list[str], extra: dict[str, str]) -> str:
    """A merge of `parents` whose tree holds README.md, every side's file, and `extra` (in no parent)."""
    files = {"README.md": "hello\n", **{f"s{n}.txt": f"side {n}\n" for n in range(len(parents) - 1)}, **extra}
    tree = mktree(work, [("100644", "blob", blob(work, text), name.encode()) for name, text in sorted(files.items())])
    return work.git("commit-tree", tree, *[arg for p in parents for arg in ("-p", p)], "-m", "octopus")


def _patch_headers(git: Git, sha: str) -> list[bytes]:
    return [line.rstrip(b"\n") for line in git.commit_patches([sha], big_file_threshold=1 << 20)
            if line.startswith(b"diff ")]


def test_a_wide_merge_is_diffed_against_its_first_parents_and_a_narrow_one_against_all(tmp_path: Path) -> None:
    work = RepoBuilder.init(tmp_path / "w")
    base = work.commit("base\n", {"README.md": "hello\n"})
    sides = _sides(work, base, WIDE_MERGE_PARENTS)
    wide = _octopus(work, [base, *sides], {"evil.txt": "evil\n"})  # one parent too many
    narrow = _octopus(work, [base, *sides[:-1]], {"evil.txt": "evil\n"})
    git = Git(work.path)
    last = f"s{WIDE_MERGE_PARENTS - 1}.txt"  # only the parent past the limit has it

    # Combined over the first WIDE_MERGE_PARENTS parents: the merge's own file, and the last side's.
    assert _patch_headers(git, wide) == [b"diff --cc evil.txt", f"diff --cc {last}".encode()]
    assert {c.path for c in git.changed_files([wide])[wide]} == {"evil.txt", last}
    # Combined over every parent: only what no parent has.
    assert _patch_headers(git, narrow) == [b"diff --cc evil.txt"]
    assert {c.path for c in git.changed_files([narrow])[narrow]} == {"evil.txt"}
    # Both shapes in one process, in the order asked.
    both = git.changed_files([narrow, wide])
    assert list(both) == [narrow, wide] and len(both[wide]) == 2
    # Against each parent (-m), for the first WIDE_MERGE_PARENTS: s0..s14 are new against base; `last`
    # against every one of them.
    names = [f"s{n}.txt" for n in range(WIDE_MERGE_PARENTS)]
    each = git.changed_files_each_parent([wide], names)[wide]
    assert {c.path for c in each} == set(names)


def test_a_range_with_many_boundary_commits_is_compared_with_the_first_ones(tmp_path: Path) -> None:
    work = RepoBuilder.init(tmp_path / "w")
    base = work.commit("base\n", {"README.md": "hello\n"})
    sides = _sides(work, base, WIDE_MERGE_PARENTS + 1)
    head = _octopus(work, [base, *sides], {"evil.txt": "evil\n"})
    git = Git(work.path)
    # With every boundary: only evil.txt is in none of them. With the first WIDE_MERGE_PARENTS: the last too.
    assert {c.path for c in git.range_files(sides, head)} == {"evil.txt", f"s{WIDE_MERGE_PARENTS}.txt"}
    assert {c.path for c in git.range_files(sides[:3], head)} == {"evil.txt"} | {
        f"s{n}.txt" for n in range(3, WIDE_MERGE_PARENTS + 1)}
    assert set(range_additions(git, sides, head)) == {b"evil.txt", f"s{WIDE_MERGE_PARENTS}.txt".encode()}


def test_a_key_in_a_wide_evil_octopus_is_refused(tmp_path: Path) -> None:
    server, work = seeded(tmp_path, SECRETS_POLICY)
    base = work.head()
    sides = _sides(work, base, WIDE_MERGE_PARENTS + 3)
    assert spush(server, work, "origin", *[f"s{n}" for n in range(len(sides))]).code == 0
    # Every parent is already on the server: the merge alone is new, and the key is in none of them.
    octopus = _octopus(work, [base, *sides], {"c.env": KEY_LINE})
    rejected(spush(server, work, "origin", f"{octopus}:refs/heads/main"), "secrets/aws-access-key")
    clean = _octopus(work, [base, *sides], {})
    assert spush(server, work, "origin", f"{clean}:refs/heads/main").code == 0


def test_hundreds_of_wide_octopus_merges_are_judged_and_held_in_little_memory(tmp_path: Path) -> None:
    """300 merges naming the same 1,000 commits: the log holds each parent id once; and a real push of 100 merges
    naming the same 300 is judged (accepted: nothing in it is wrong) rather than held up by a combined diff per merge.
    (The push was of the 1,300 commits until the CI machine of 2026-12-07, half as fast, needed 12 s to scan their
    1,000 new files for secrets: over the hook's budget, which may not pass 5 s, however merges are read.)"""
    repo = tmp_path / "wide"
    wide_octopus_history(repo, sides=1000, octopuses=300)
    git = Git(repo)
    tracemalloc.start()
    try:
        commits = git.commits(["main"])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(commits) == 1301 and sum(len(c.parents) for c in commits) == 300 * 1001 + 1000
    # 300,300 links: a string each would be over 25 MiB; shared, the tuples of pointers are 2.3 MiB.
    assert peak < 10 * 2**20, f"{peak / 2**20:.0f} MiB held for the log"

    pushed_repo = tmp_path / "pushed"
    wide_octopus_history(pushed_repo, sides=300, octopuses=100)
    server = make_server(tmp_path / "srv", policy=SECRETS_POLICY)
    env = {**os.environ, "GATEKEEPER_AUDIT_LOG": str(server.audit_log)}

    def attempt() -> PushResult:
        done = subprocess.run(["git", "push", "-q", str(server.path), "main:main"], cwd=pushed_repo,
                              capture_output=True, env=env, check=False)
        return PushResult(done.returncode, done.stderr.decode("utf-8", "replace"))

    # (Judged within the hook's 4 s budget; a push refused for time alone is tried again: hook_helpers.spush.)
    pushed = retried_for_time(server, attempt)
    assert pushed.code == 0, pushed.output
    assert server.git("rev-parse", "main") == Git(pushed_repo).resolve("main")


def _sha256_server(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A SHA-256 bare server with the hook (secrets policy) and an empty SHA-256 clone pointed at it."""
    from gatekeeper.modes.install import install
    from tests.hook_helpers import disable_watchdog

    server = make_server(tmp_path / "srv", policy=SECRETS_POLICY, install_hook=False)
    subprocess.run(["rm", "-rf", str(server.path)], check=True)
    subprocess.run(["git", "init", "-q", "--bare", "--object-format=sha256", "-b", "main", str(server.path)],
                   check=True)
    install(server.path, "pre-receive", policy=server.policy_file)
    disable_watchdog(server.path)
    work = RepoBuilder.init(tmp_path / "w", object_format="sha256")
    work.git("remote", "add", "origin", server.path.as_uri())
    return server, work


def test_a_key_in_a_wide_merge_in_a_sha256_repository_is_refused(tmp_path: Path) -> None:
    """`<id> <16 parent ids>` is 1,105 bytes with SHA-256 ids, and git reads `diff-tree --stdin` lines into
    a 1,000-byte buffer: cut in two, the merge got no patch at all and its key went unscanned (red team). A
    wide merge's line holds as many parents as fit: 14 with SHA-256 ids."""
    from gatekeeper.git.diff import _parents_per_line

    assert (_parents_per_line(40), _parents_per_line(64)) == (WIDE_MERGE_PARENTS, 14)
    server, work = _sha256_server(tmp_path)
    base = work.commit("Initial commit\n", {"README.md": "hello\n"})
    assert spush(server, work, "origin", "main").code == 0
    sides = _sides(work, base, WIDE_MERGE_PARENTS)
    assert spush(server, work, "origin", *[f"s{n}" for n in range(len(sides))]).code == 0
    merge = _octopus(work, [base, *sides], {"c.env": KEY_LINE})
    assert len(merge) == 64
    # Combined over the first 14 parents: the key, and the files only parents 15-17 have.
    assert _patch_headers(Git(work.path), merge) == [
        b"diff --cc c.env", *(f"diff --cc s{n}.txt".encode() for n in range(13, WIDE_MERGE_PARENTS))]
    rejected(spush(server, work, "origin", f"{merge}:refs/heads/main"), "secrets/aws-access-key")


def _lock(count: int, seed: int) -> str:
    import random

    rng = random.Random(seed)
    return "".join(f'  "pkg-{rng.randrange(10**9)}": "{rng.randrange(10**6)}",\n' for _ in range(count))


# The push's address space in the memory test: the hook's Python and every git it starts fit in it, and git's
# combined diff of the merge below does not (its table: 2 x 4 bytes x 11,000 x 11,000 lines, about 0.97 GB).
PUSH_MEMORY = 768 << 20
PARENT_LINES, MERGE_LINES = 11_000, 1_500


def _capped() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (PUSH_MEMORY, PUSH_MEMORY))


def _limited_push(server: object, work: RepoBuilder, refspec: str) -> tuple[int, str]:
    """`git push` with its address space (and so the hook's and every git the hook starts) capped at PUSH_MEMORY."""
    env = {**os.environ, **work.env_overrides, "GATEKEEPER_AUDIT_LOG": str(server.audit_log)}  # type: ignore[attr-defined]
    for _ in range(3):  # (a refusal only for time on a loaded machine is pushed again: hook_helpers.spush)
        with alone():  # (the hook's budget is wall-clock time: no other test's load in it)
            proc = subprocess.run(["git", "push", "--porcelain", "origin", refspec], cwd=work.path, env=env,
                                  capture_output=True, check=False, timeout=300, preexec_fn=_capped)
        if proc.returncode == 0 or not refused_for_time_only(server):  # type: ignore[arg-type]
            break
    return proc.returncode, proc.stderr.decode("utf-8", "replace") + proc.stdout.decode("utf-8", "replace")


def test_a_pushed_merge_unlike_both_parents_is_scanned_in_little_memory(tmp_path: Path) -> None:
    """A real push of a merge whose lock file (1,500 lines) shares no line with either parent's (11,000 lines
    each), the server's hook held to 768 MiB of address space: git's combined diff would coalesce the lines each
    parent lost in a table of both counts (about 1 GB here; 24 GB for a real lock-file merge in continuedev/continue:
    an out-of-memory kill of the server). It runs out of memory under the cap (checked first, so that the push
    below takes the other road), and the hook reads the merge one parent at a time: the key the merge alone adds is
    refused, and the same merge without it is accepted — not a scan failure, and within the hook's 4 s budget."""
    server, work = seeded(tmp_path, SECRETS_POLICY)
    base = work.head()
    work.git("checkout", "-q", "-b", "side", base)
    work.commit("side lock\n", {"lock.json": _lock(PARENT_LINES, 1)}, author=DANA, committer=DANA)
    work.git("checkout", "-q", "main")
    work.commit("main lock\n", {"lock.json": _lock(PARENT_LINES, 2)}, author=DANA, committer=DANA)
    # (The parents reach the server as history it already holds, fetched there without a hook: only the merge is
    # pushed and judged.)
    server.git("fetch", "-q", str(work.path), "main:main", "side:side")
    first, second = work.head(), work.git("rev-parse", "side").strip()

    def merge(extra: str) -> str:
        tree = mktree(work, [("100644", "blob", blob(work, _lock(MERGE_LINES, 3) + extra), b"lock.json"),
                             ("100644", "blob", blob(work, "hello\n"), b"README.md")])
        return work.git("commit-tree", tree, "-p", first, "-p", second, "-m", "merge: regenerate the lock file").strip()

    clean = merge("")
    combined = subprocess.run(["git", "diff-tree", "--cc", "-p", clean], cwd=work.path, capture_output=True,
                              env={**os.environ, **work.env_overrides}, check=False, timeout=120, preexec_fn=_capped)
    assert combined.returncode != 0 and b"Out of memory" in combined.stderr, combined.stderr[-300:]
    code, output = _limited_push(server, work, f"{merge(KEY_LINE)}:refs/heads/main")
    assert code != 0 and "secrets/aws-access-key" in output and "tool/" not in output, output
    assert AWS_KEY not in output
    code, output = _limited_push(server, work, f"{clean}:refs/heads/main")
    assert code == 0, output
