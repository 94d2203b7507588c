"""`Git.landings` against an oracle: on random histories (branches that fork from each other, merge each
other, octopus merges, orphan lines), every commit's landing on every tip and what each landing holds must
be what plain ancestor sets computed from `git rev-list --parents` say. The walk shares the part of a line
below where it meets another tip's; the oracle walks every tip whole."""

from __future__ import annotations

import os
import random
import subprocess
import tracemalloc
from pathlib import Path

import pytest

from gatekeeper.git import Git, Landing


def _random_history(repo: Path, seed: int, commits: int = 90, branches: int = 5) -> None:
    rng = random.Random(seed)
    stream: list[str] = []
    tips: dict[str, int] = {}
    for mark in range(1, commits + 1):
        branch = f"b{rng.randrange(branches)}"
        head = f"commit refs/heads/{branch}\nmark :{mark}\ncommitter D <d@e.x> {1_600_000_000 + mark} +0000\n"
        body = f"data 3\nc{mark % 10}\n"
        if branch in tips and rng.random() > 0.05:
            body += f"from :{tips[branch]}\n"
        elif tips and rng.random() < 0.5:
            body += f"from :{rng.choice(list(tips.values()))}\n"  # a new branch off another one
        others = [m for b, m in tips.items() if b != branch]
        for other in rng.sample(others, k=min(len(others), rng.choice((0, 0, 0, 1, 1, 2)))):
            body += f"merge :{other}\n"
        if mark > 3 and rng.random() < 0.1:
            body += f"merge :{rng.randrange(1, mark)}\n"  # an old commit merged (again)
        stream.append(head + body + f"M 644 inline f{mark % 7}\ndata 2\n{mark % 10}\n\n")
        tips[branch] = mark
    subprocess.run(["git", "init", "-q", "-b", "b0", str(repo)], check=True)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input="".join(stream).encode(), check=True,
                   capture_output=True)


def _oracle(repo: Path, tips: dict[str, str]) -> dict[str, tuple[Landing, ...]]:
    out = subprocess.run(["git", "rev-list", "--parents", *tips.values()], cwd=repo, capture_output=True,
                         text=True, check=True).stdout
    parents = {row.split()[0]: row.split()[1:] for row in out.splitlines()}
    memo: dict[str, frozenset[str]] = {}

    def ancestors(sha: str) -> frozenset[str]:  # the commit and everything it reaches
        order, todo = [], [sha]
        while todo:
            c = todo.pop()
            if c in memo or c in order:
                continue
            order.append(c)
            todo.extend(parents[c])
        for c in reversed(order):
            memo[c] = frozenset({c}).union(*(memo.get(p) or ancestors(p) for p in parents[c]))
        return memo[sha]

    lines = {}
    for ref, tip in tips.items():
        line, at = [], tip
        while True:
            line.append(at)
            if not parents[at]:
                break
            at = parents[at][0]
        lines[ref] = line[::-1]
    result: dict[str, tuple[Landing, ...]] = {}
    for sha in parents:
        points = [(ref, next(p for p in lines[ref] if sha in ancestors(p))) for ref in tips
                  if sha in ancestors(tips[ref])]
        result[sha] = tuple(Landing(ref, point, frozenset(o for _, o in points if o != point and o in ancestors(point)))
                            for ref, point in points)
    return result


@pytest.mark.parametrize("seed", range(12))
def test_landings_agree_with_ancestor_sets_on_random_histories(tmp_path: Path, seed: int) -> None:
    repo = tmp_path / "r"
    _random_history(repo, seed)
    git = Git(repo)
    tips = git.refs("refs/heads/")
    expected = _oracle(repo, tips)
    assert git.landings(list(expected), tips) == expected
    # Any subset of the tips, in any order of refs, gives each tip the same answer.
    some = dict(random.Random(seed).sample(sorted(tips.items()), k=max(1, len(tips) // 2)))
    assert git.landings(list(expected), some) == _oracle(repo, some)


def _cheap_branches(repo: Path, commits: int, branches: int, *, shared_root: bool) -> dict[str, str]:
    """main of `commits` commits, and `branches` tips that each merge main into a line of their own: one
    empty root shared by all, or one root each (two tiny commits of pack per branch, for a pusher)."""
    stream = [f"commit refs/heads/main\nmark :{i}\ncommitter D <d@e.x> {1_600_000_000 + i} +0000\ndata 2\nc\n"
              + (f"from :{i - 1}\n" if i > 1 else "") + f"M 644 inline f{i % 50}\ndata 3\n{i % 100:02d}\n\n"
              for i in range(1, commits + 1)]
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input="".join(stream).encode(), check=True)
    git = Git(repo)
    empty = git._run("hash-object", "-t", "tree", "-w", "--stdin", input=b"").stdout.decode().strip()

    def commit_tree(*args: str) -> str:
        return subprocess.run(["git", "commit-tree", empty, *args], cwd=repo, capture_output=True, text=True,
                              check=True, env={**os.environ, "GIT_AUTHOR_NAME": "D", "GIT_AUTHOR_EMAIL": "d@e.x",
                                               "GIT_COMMITTER_NAME": "D", "GIT_COMMITTER_EMAIL": "d@e.x"}).stdout.strip()

    root = commit_tree("-m", "root")
    tips = {"refs/heads/main": git.resolve("main")}
    for k in range(branches):
        base = root if shared_root else commit_tree("-m", f"root {k}")
        tips[f"refs/heads/release/r{k}"] = commit_tree("-p", base, "-p", tips["refs/heads/main"], "-m", f"r{k}")
    return tips


@pytest.mark.parametrize("shared_root", [True, False])
def test_cheap_protected_branches_cost_the_walk_their_own_commits_only(tmp_path: Path, shared_root: bool) -> None:
    """Red team: branches whose lines meet the others only at a root, each merging main, were each walked down
    main's whole history again into a dict (200 of them took an audit of 100,000 commits from 51 MB to
    1.7 GB). A walk that reaches a commit on a line already walked now claims all it holds at once."""
    costs = []
    for branches in (0, 40):
        tips = _cheap_branches(tmp_path / f"r{branches}", 4000, branches, shared_root=shared_root)
        git = Git(tmp_path / f"r{branches}")
        early = git.resolve("main~3000")
        tracemalloc.start()
        try:
            found = git.landings([early], tips)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert found is not None and len(found[early]) == 1 + branches
        assert {landing.point for landing in found[early][1:]} == {tips[r] for r in tips if r != "refs/heads/main"}
        costs.append(peak)
    assert costs[1] < 1.5 * costs[0], f"peak {costs[0] / 2**20:.1f} MiB -> {costs[1] / 2**20:.1f} MiB"
