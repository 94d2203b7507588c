"""Hostile and heavy histories for the audit's "reviewed via merge" rule and its landing walk (`Git.landings`),
from this project's second red-team round: the rank of remote-tracking refs, the cost of a `claim` through
layers and chains of tips, and realistic reviewed histories (merge-forward maintenance branches) that an
earlier walk gave up on."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gatekeeper.git import Git
from tests.hook_helpers import TEST_POLICY, make_server, spush
from tests.test_audit import WEB_FLOW, audit_json, gk, landed_unreviewed
from tests.test_hostile_landings import _forged_merge as _forged
from tests.test_hostile_landings import server_with_root
from tests.test_landings import _oracle

DANA = ("Dana Developer", "dana@example.com")
GATEKEEPER = [sys.executable, "-m", "gatekeeper"]


def _listed(capsys: pytest.CaptureFixture[str], path: Path, *args: str) -> list[str]:
    data = audit_json(capsys, path, *args)
    return [i["sha"] for i in data["summary"]["unreviewed_mobile_ai_on_protected"]["items"]]


def _fast_import(repo: Path, stream: list[str]) -> dict[str, str]:
    """Run a fast-import stream in `repo`; mark (":n") -> commit id."""
    marks = repo / ".git" / "red7-marks" if (repo / ".git").is_dir() else repo / "red7-marks"
    subprocess.run(["git", "fast-import", "--quiet", "--force", f"--export-marks={marks}"], cwd=repo,
                   input="".join(stream).encode(), check=True, capture_output=True)
    return dict(line.split() for line in marks.read_text().splitlines())


class _Stream:
    """A fast-import stream: commits with marks, each on a ref, parents by mark or id."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.mark = 0
        self.heads: dict[str, str] = {}

    def commit(self, ref: str, parents: list[str], message: str = "c", committer: tuple[str, str] = DANA,
               *, empty: bool = False) -> str:
        self.mark += 1
        when = 1_700_000_000 + self.mark
        msg = message + "\n"
        body = (f"commit {ref}\nmark :{self.mark}\nauthor {DANA[0]} <{DANA[1]}> {when} +0000\n"
                f"committer {committer[0]} <{committer[1]}> {when} +0000\ndata {len(msg.encode())}\n{msg}")
        if parents:
            body += f"from {parents[0]}\n" + "".join(f"merge {p}\n" for p in parents[1:])
        body += "deleteall\n" if empty else f"M 644 inline f{self.mark % 50}\ndata {len(str(self.mark))}\n{self.mark}\n"
        self.parts.append(body + "\n")
        self.heads[ref] = f":{self.mark}"
        return f":{self.mark}"


# --- 1. rank: a remote-tracking release branch named `main` ranks like main ------------------------------


def test_a_remote_tracking_release_main_ranks_as_release_in_a_clone(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The pusher makes `release/main` (a forged PR merge that brings the AI commit) and `release/1`, whose
    landing of the AI commit is a plain merge of release/main. On the server release/main ranks as
    release/* (1), not above release/1: the plain landing stands and the commit is listed. In any clone,
    `refs/remotes/origin/release/main` was ranked by every suffix (`refs/heads/main` too): rank 0, above
    release/1, so the plain landing was covered. It is release/main, as protected_tips reads it."""
    server, policy, work = server_with_root(tmp_path)
    work.git("checkout", "-q", "-b", "side")
    ai = work.commit("tidy the parser\n\nAssisted-by: some-agent\n", {"p": "1"}, author=DANA, committer=DANA)
    tree = work.git("rev-parse", f"{ai}^{{tree}}")
    env = {"GIT_COMMITTER_NAME": WEB_FLOW[0], "GIT_COMMITTER_EMAIL": WEB_FLOW[1],
           "GIT_AUTHOR_NAME": DANA[0], "GIT_AUTHOR_EMAIL": DANA[1]}
    forged = work.git("commit-tree", tree, "-p", "main", "-p", ai, "-m", "Merge pull request #7 from x/side", env=env)
    assert spush(server, work, "origin", f"{forged}:refs/heads/release/main").code == 0
    work.git("checkout", "-q", "-b", "release/1", "main")
    work.commit("cut release 1", {"r": "1"}, author=DANA, committer=DANA)
    work.merge(forged, "plain merge, pushed straight")
    assert spush(server, work, "origin", "release/1").code == 0

    assert ai in _listed(capsys, server.path, "--all", "--policy", str(policy)), "server audit"
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(server.path), str(clone)], check=True)
    assert ai in _listed(capsys, clone, "--all", "--policy", str(policy)), \
        "clone audit: refs/remotes/origin/release/main took main's rank and covered release/1's plain landing"


# --- 2. time and stack: claim() recursion ---------------------------------------------------------------


def _layers(stream: _Stream, layers: int, prefix: str = "refs/heads/release/l") -> list[str]:
    """Two roots; then per layer two tips, each a merge of a root of its own with both tips of the layer
    below (the two never hold each other: each walk records a rule to both, and a claim that fails asks
    both, which ask both below: 2**layers calls). Returns the top layer's tips."""
    prev = [stream.commit(f"{prefix}00a", [], empty=True), stream.commit(f"{prefix}00b", [], empty=True)]
    for i in range(1, layers + 1):
        cur = []
        for side in "ab":
            ref = f"{prefix}{i:02d}{side}"
            cur.append(stream.commit(ref, [stream.commit(ref, [], empty=True), *prev], empty=True))
        prev = cur
    return prev


def test_layers_of_tips_that_each_merge_two_below_cost_the_walk_little(tmp_path: Path) -> None:
    """33 tiny protected branches in 16 layers (each a merge of both below, with a root of its own), then
    one more that merges the top layer and, at its next line commit, a chain of fresh commits. A claim that
    asked every path cost 2**17 calls per fresh commit (hours for a pack of a few MB): each tip is now asked
    once per claim, and the budget is paid per step."""
    server = make_server(tmp_path / "srv")
    policy = tmp_path / "p.yml"
    policy.write_text(TEST_POLICY)
    work, _ = landed_unreviewed(server, pr=5)  # one candidate, so the audit walks the landings
    stream = _Stream()
    top = _layers(stream, 16)
    merged = stream.commit("refs/heads/release/zz", [stream.commit("refs/heads/release/zz", [], empty=True), *top],
                           empty=True)
    chain = stream.commit("refs/heads/chain", [], empty=True)
    for _ in range(3000):
        chain = stream.commit("refs/heads/chain", [chain], empty=True)
    stream.commit("refs/heads/release/zz", [merged, chain], empty=True)
    _fast_import(work.path, stream.parts)
    refs = sorted(r for r in stream.heads if r.startswith("refs/heads/release/"))
    pushed = spush(server, work, "origin", *[f"{r}:{r}" for r in refs])
    assert pushed.code == 0, pushed.output

    started = time.monotonic()
    try:
        proc = subprocess.run([*GATEKEEPER, "audit", "--repo", str(server.path), "--format", "json", "--policy",
                               str(policy)], capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the audit of a {len(stream.parts)}-commit push ran past 30 s (minutes on current main)")
    assert proc.returncode == 0, proc.stderr
    assert time.monotonic() - started < 30


def test_a_chain_of_protected_branches_is_traced_or_given_up_never_a_crash(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """1,100 protected branches, each one commit on top of the previous: each tip's line meets the one before,
    and a recursive claim 1,100 deep ended the audit with RecursionError (exit 4). The refs are made locally
    here to keep the test cheap (pushed through the hook, 1,200 refs are accepted in 27 s)."""
    repo = tmp_path / "r"
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    stream = _Stream()
    root = stream.commit("refs/heads/main", [], "root")
    ai = stream.commit("refs/heads/topic", [root], "tidy the parser\n\nAssisted-by: some-agent")
    merge = stream.commit("refs/heads/main", [root, ai], "Merge pull request #5 from x/topic", WEB_FLOW)
    below = merge
    for k in range(1, 1101):
        below = stream.commit(f"refs/heads/release/{k:05d}", [below], f"release {k}")
    ids = _fast_import(repo, stream.parts)
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=repo, check=True)
    policy = tmp_path / "p.yml"
    policy.write_text(TEST_POLICY)

    code, out, err = gk(capsys, "audit", "--repo", str(repo), "--format", "json", "--policy", str(policy))
    assert code == 0, err
    summary = json.loads(out)["summary"]
    listed = [i["sha"] for i in summary["unreviewed_mobile_ai_on_protected"]["items"]]
    # Traced (reviewed via the PR merge), or given up on with a note (fail closed): never a crash.
    assert ids[ai] not in listed or any("could not be traced" in note for note in summary["notes"])


# --- 3. realistic reviewed histories the walk gives up on -----------------------------------------------


def _merge_forward(repo: Path, releases: int, fixes: int) -> str:
    """main with PR merges; release/1..N cut from main one after another; each fix lands on release/1 and is
    merged forward release/1 -> release/2 -> ... -> main (maintenance branches as Spring Framework keeps
    them: "Merge branch '6.1.x'"). Last, an AI-assisted commit reaches main through a PR merge. Returns it."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    s = _Stream()
    pr = 0

    def pr_merge(message: str) -> str:
        nonlocal pr
        pr += 1
        side = s.commit("refs/heads/topic", [s.heads["refs/heads/main"]], message)
        return s.commit("refs/heads/main", [s.heads["refs/heads/main"], side],
                        f"Merge pull request #{pr} from x/topic", WEB_FLOW)

    s.commit("refs/heads/main", [], "root")
    for r in range(1, releases + 1):
        pr_merge(f"feature {r}")
        s.commit(f"refs/heads/release/{r}", [s.heads["refs/heads/main"]], f"cut release {r}")
    for f in range(fixes):
        s.commit("refs/heads/release/1", [s.heads["refs/heads/release/1"]], f"fix {f}")
        for r in range(2, releases + 1):
            s.commit(f"refs/heads/release/{r}", [s.heads[f"refs/heads/release/{r}"], s.heads[f"refs/heads/release/{r - 1}"]],
                     f"Merge branch 'release/{r - 1}' into release/{r}")
        s.commit("refs/heads/main", [s.heads["refs/heads/main"], s.heads[f"refs/heads/release/{releases}"]],
                 f"Merge branch 'release/{releases}'")
    pr += 1
    ai = s.commit("refs/heads/topic", [s.heads["refs/heads/main"]], "tidy the parser\n\nAssisted-by: some-agent")
    s.commit("refs/heads/main", [s.heads["refs/heads/main"], ai], f"Merge pull request #{pr} from x/ai", WEB_FLOW)
    ids = _fast_import(repo, s.parts)
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=repo, check=True)
    return ids[ai]


def test_a_pr_reviewed_commit_stays_reviewed_with_merge_forward_release_branches(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Three maintenance branches, 100 fixes each merged forward (about 700 commits): the AI commit reached
    main through a PR merge and no release branch holds it. Each forward merge adds a rule, and a claim that
    asked each rule's tip anew cost 100**2 calls: past the budget, the reviewed commit was listed."""
    repo = tmp_path / "r"
    ai = _merge_forward(repo, releases=3, fixes=100)
    policy = tmp_path / "p.yml"
    policy.write_text(TEST_POLICY)
    data = audit_json(capsys, repo, "--policy", str(policy))
    items = [i["sha"] for i in data["summary"]["unreviewed_mobile_ai_on_protected"]["items"]]
    assert ai not in items, data["summary"].get("notes")


def _random_history(repo: Path, rng: random.Random, commits: int, branches: int) -> None:
    """Like test_landings._random_history, with octopus merges of up to five parents and old commits merged."""
    stream: list[str] = []
    tips: dict[str, int] = {}
    for mark in range(1, commits + 1):
        branch = f"b{rng.randrange(branches)}"
        body = f"commit refs/heads/{branch}\nmark :{mark}\ncommitter D <d@e.x> {1_600_000_000 + mark} +0000\n"
        body += f"data 3\nc{mark % 10}\n"
        parents: list[int] = []
        if branch in tips and rng.random() > 0.08:
            parents.append(tips[branch])
        elif tips and rng.random() < 0.6:
            parents.append(rng.randrange(1, mark))
        others = [m for b, m in tips.items() if b != branch]
        parents += rng.sample(others, k=min(len(others), rng.choice((0, 0, 0, 1, 1, 2, 5))))
        if mark > 3 and rng.random() < 0.15:
            parents.append(rng.randrange(1, mark))
        parents = list(dict.fromkeys(parents))
        if parents:
            body += f"from :{parents[0]}\n" + "".join(f"merge :{p}\n" for p in parents[1:])
        stream.append(body + f"M 644 inline f{mark % 7}\ndata 2\n{mark % 10}\n\n")
        tips[branch] = mark
    subprocess.run(["git", "init", "-q", "-b", "b0", str(repo)], check=True)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input="".join(stream).encode(), check=True,
                   capture_output=True)


@pytest.mark.parametrize("seed", [83, 392, *range(40)])
def test_landings_trace_small_random_histories_with_many_tips(tmp_path: Path, seed: int) -> None:
    """The oracle of test_landings on random histories of up to 120 commits with up to 14 branches, octopus
    merges, extra refs at interior commits, tips in random order and subsets: never a disagreement, and never
    given up (the two seeds that made an earlier walk give up are among them)."""
    rng = random.Random(seed)
    repo = tmp_path / "r"
    _random_history(repo, rng, rng.choice((15, 30, 60, 120)), rng.choice((2, 4, 8, 14)))
    every = subprocess.run(["git", "rev-list", "--all"], cwd=repo, capture_output=True, text=True,
                           check=True).stdout.split()
    for k in range(rng.randrange(0, 10)):
        subprocess.run(["git", "update-ref", f"refs/heads/{rng.choice('ax')}{k}", rng.choice(every)], cwd=repo,
                       check=True)
    git = Git(repo)
    items = sorted(git.refs("refs/heads/").items())
    rng.shuffle(items)
    tips = dict(items[: rng.randrange(1, len(items) + 1)])
    expected = _oracle(repo, tips)
    assert git.landings(list(expected), tips) == expected


def _reviews(capsys, path: Path, *args: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return audit_json(capsys, path, *args)["summary"]["reviews"]


# --- the trunk alone covers another branch's landing (third round) -------------------------------------


def test_a_new_master_branch_cannot_cover_a_plain_landing_on_a_release_branch(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Built-in policy: main, master, release/*. A server on `main` has no `master`. The AI commit reached
    only release/1, through a plain merge of `feature` whose history holds a PR-looking merge P (a real PR into
    an unprotected branch has this shape; a pusher can also write one). Listed. Then the pusher creates
    `master` at P (no new object): master's landing is P, ranked above release/*, and release/1's plain
    landing holds it. Only the trunk (the branch HEAD names) covers another branch's landing now."""
    server, _policy, work = server_with_root(tmp_path)
    work.git("checkout", "-q", "-b", "ai", "main")
    ai = work.commit("tidy the parser\n\nAssisted-by: some-agent\n", {"p": "1"}, author=DANA, committer=DANA)
    pr_like = _forged(work, "main", ai, 9)
    assert spush(server, work, "origin", f"{pr_like}:refs/heads/feature").code == 0
    work.git("checkout", "-q", "-b", "release/1", "main")
    work.commit("release base", {"r": "1"}, author=DANA, committer=DANA)
    work.merge(pr_like, "plain merge of feature")
    work.commit("after", {"e": "1"}, author=DANA, committer=DANA)
    assert spush(server, work, "origin", "release/1").code == 0
    assert ai in _listed(capsys, server.path, "--all")

    assert spush(server, work, "origin", f"{pr_like}:refs/heads/master").code == 0
    assert ai in _listed(capsys, server.path, "--all"), f"laundered: {_reviews(capsys, server.path, '--all')}"


def test_a_contributors_fork_remote_main_cannot_cover_a_landing_in_a_clone(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Test policy (main, release/*). The AI commit reached only release/1, through a plain merge of a
    branch whose history holds a PR-looking merge P: listed, on the server and in a clone. A maintainer's
    clone that also tracks a contributor's fork (`git remote add alice ...`), whose main is P, ranks
    `refs/remotes/alice/main` as main, and its landing P covered release/1's plain one. It is not the trunk
    (origin/HEAD names origin's main), so it covers nothing."""
    server, policy, work = server_with_root(tmp_path)
    work.git("checkout", "-q", "-b", "ai", "main")
    ai = work.commit("tidy the parser\n\nAssisted-by: some-agent\n", {"p": "1"}, author=DANA, committer=DANA)
    pr_like = _forged(work, "main", ai, 9)
    work.git("checkout", "-q", "-b", "release/1", "main")
    work.commit("release base", {"r": "1"}, author=DANA, committer=DANA)
    work.merge(pr_like, "plain merge of feature")
    assert spush(server, work, "origin", "release/1").code == 0
    clone = tmp_path / "maintainer"
    subprocess.run(["git", "clone", "-q", str(server.path), str(clone)], check=True)
    assert ai in _listed(capsys, clone, "--all", "--policy", str(policy))

    fork = tmp_path / "alice.git"
    subprocess.run(["git", "init", "-q", "--bare", str(fork)], check=True)
    work.git("push", "-q", str(fork), f"{pr_like}:refs/heads/main")
    subprocess.run(["git", "remote", "add", "alice", str(fork)], cwd=clone, check=True)
    subprocess.run(["git", "fetch", "-q", "alice"], cwd=clone, check=True)
    assert ai in _listed(capsys, clone, "--all", "--policy", str(policy)), \
        f"laundered by a fork's main: {_reviews(capsys, clone, '--all', '--policy', str(policy))}"
