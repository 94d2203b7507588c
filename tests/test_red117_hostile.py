"""Red team red117: the fixes of the last hour — merge scanning one parent at a time (fb8e451, fbff243, 8d55b11), the
merge-queue / merge-claim review rules and CODEOWNERS owners (e34b6fa, 06cdbac), the read-only decision log (9e4215d).

Findings (each test FAILS on 8d55b11 for the reason its docstring names, and asserts the secure/correct behaviour):

1. MEDIUM (miss of review) — review/github_source.py `_queue_made_for`: in a rebase-method merge queue a commit the
   queue made is the named PR's "rebased copy" when its message equals one of that PR's commit messages. The message
   is the committer's own text: Mallory (earlier entry #8, a phone change nobody approved) gives her commit the
   message of a commit of Dana's approved #9 (public in the PR). In #9's group run the queue's copy of HER commit
   matches, is judged by #9's approval of #9's head and passes: exit 0. docs/action.md promises `review/missing` for
   "a rebase-method queue's copy of an earlier entry's commit"; the code's docstring calls this "the residual", no
   doc says so. (Only where GitHub does not run every entry's checks — the same precondition as red115's finding 2.)
   Fix: tie a copy by position too — a rebase-method queue writes the named PR's copies as the group's topmost
   len(pulls/N/commits) commits, so a commit below them is an earlier entry's whatever its message says.
2. MEDIUM (miss of owner review) — review/semantics.py `_OWNER`: a login is `[A-Za-z0-9](-?[A-Za-z0-9])*`, but
   GitHub Enterprise Managed Users' logins end in `_<shortcode>` (`sec-lead_acme`; GitHub's "Username
   considerations for external authentication": `the-octocat_SHORT-CODE`). Every CODEOWNERS line that names an EMU
   user is now skipped whole, so in an EMU enterprise the gate's own files fall to an earlier catch-all rule (or to
   "any reviewer"): `* @acme/everyone` + `/.gatekeeper.yml @sec-lead_acme` lets any member of acme/everyone clear
   `policy/changed`. Fix: allow `_` in the login part (as the team part already does).
3. MEDIUM (false alarm: an intact log reported damaged) — audit/sqlite_store.py `immutable=1` fallback: a reader that
   may not write the log's directory (the auditor's case 9e4215d opened the log for) opens it `immutable=1` when no
   `-wal` exists. immutable tells SQLite the file never changes, so no lock and no snapshot: a hook that appends while
   `log verify` runs (WAL, then its checkpoint on close writes the main file) makes verify read pages of two moments.
   Measured as user nobody on an intact 5-record log, 1, 3 and 50 appends during verify: every time
   "cannot read decision log …: database disk image is malformed (the file is damaged or is not a decision log)".
   `snapshot()` promises "every read inside sees the log as one moment". Fix: under immutable, read the file's
   change counter (header bytes 24..27) before and after and read again (or refuse) when it moved; or copy the file
   first and verify the copy the same way.
4. MEDIUM (cost; false block by budget on merge-heavy pushes) — scan/added_lines.py `_merge_additions` and
   `iter_commit_additions`: a merge costs one `diff-tree` process per parent per 1,024 candidate paths, each carrying
   up to 1,024 literal pathspecs that git matches against every entry of every tree it visits. Measured (2 shared
   cores, nice 19), new vs the `--cc` code at d28c580:
   - git.git v2.44.0..v2.45.0 (729 commits, 189 merges): 2.45 s / 266 git processes vs 1.17 s / 3;
     v2.40.0..v2.45.0 (3,500 commits): 12.7 s / 1,548 processes vs 4.0 s / 3 — the secrets step of a legitimate
     upstream-sync push now eats half of GHES's 5 s (the hook then blocks on `on_timeout`).
   - one merge of N files in ONE directory, each differing from both parents: N=20,000 6.1 s vs 1.3 s; N=60,000
     47.7 s vs 4.5 s (quadratic: N/1024 processes x N entries x 1,024 pathspecs; no deadline in `check` / the
     Action, and in the hook the deadline is only checked between chunks: with 16 parents one chunk of 60,000 flat
     files is ~6 s before the first patch).
   Fix: diff each parent once with no pathspec (or the candidates' directories) and keep the candidate paths in
   Python; put all merges' parent diffs in one `diff-tree --stdin` process (`<merge> <parent>` lines).

Tried and held (run against plain git, 3,000 git.git merges: 1,534 with candidate paths; the lines --cc marks added
everywhere and the new per-parent lines differ on 2 paths, both where the --cc numbering was wrong; 0 lines whose
content is in no parent went unreported):
- file names: `:(glob)*`, `*`, `?`, `[ab]`, `-foo`, `--`, `-`, newline, tab, `"`, backslash, ` b/` inside, `:!ex`,
  `:/top`, `:^neg`, `@{1}`, `HEAD`, control bytes, non-UTF-8 bytes, 250-byte names, names differing only by case —
  every evil line found, by iter_commit_additions and by range_additions with two boundary commits.
- type changes (symlink/gitlink/file either way, either parent first), file in one parent and directory in the
  other (both orders), a directory in the merge where the parents have a file, mode-only differences, CRLF, no
  trailing newline, a path absent from one parent or from both, a symlink whose target is the evil text, a merge
  naming the same parent twice, a merge whose parent has its tree (nothing reported, correct).
- a binary or over-threshold version in one parent: the patch is binary (all its lines dropped) and the secrets
  scanner reads the whole merged file against every parent's blob — nothing lost.
- octopus of 20 parents, SHA-1 and SHA-256: the evil line found (and the lines of parents 17..20 reported, the
  documented superset).
- decision log: a `-wal` present but unreadable refuses to open (fails closed); no PostgreSQL finding in the time box.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from gatekeeper.audit.sqlite_store import SqliteStore
from gatekeeper.git import Git
from gatekeeper.models import ExitCode, ReviewStatus
from gatekeeper.modes.action import ActionSettings, run_action
from gatekeeper.review.semantics import owner_requirements, parse_codeowners
from gatekeeper.scan.added_lines import iter_commit_additions
from tests.github_helpers import (
    serve_reviews,
    synthetic_pull_commit,
    synthetic_review,
    web_flow_commit,
    webhook_example,
)
from tests.repo_builder import RepoBuilder
from tests.test_action import MOBILE, POLICY, REPO, Env, gh
from tests.test_audit_review_trust import forge_key
from tests.test_decision_log import entry, fill

__all__ = ["forge_key", "gh"]  # fixtures used below

DANA = ("Dana Desktop", "dana@example.com")
MALLORY = ("Mallory Phone", "mallory@example.com")


# -- 1. merge queue (rebase method): an earlier entry's commit copies a message of the named PR --------------------

def test_an_earlier_entrys_rebased_commit_copying_a_message_of_the_named_pr_is_not_covered_by_it(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder, forge_key: tuple[dict[str, str], object, str]) -> None:
    """Finding 1. Rebase-method queue on main: Mallory's PR #8 (no approval) then Dana's #9 (one phone commit "docs:
    typo" with its Origin trailers, approved by Carol at #9's head). Mallory gave her phone commit that whole
    message. In #9's run (`gh-readonly-queue/main/pr-9-<head9>`) the queue's copy R8 of Mallory's commit (web-flow,
    GitHub's key) has the same message as #9's commit, so `_queue_made_for` calls it #9's rebased copy and #9's
    approval covers it: exit 0. Secure: R8 sits below #9's own copy (R9, the group's top commit) — it is an earlier
    entry's commit, `review/missing`, blocked (docs/action.md)."""
    env, keys, fpr = forge_key
    message = "docs: typo" + MOBILE  # Dana's phone commit in #9; Mallory copies its message whole
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY, "app.py": "print('hi')\n", "README.md": "x\n"})
    r8 = web_flow_commit(repo, env, fpr, message, {"app.py": "print('changed by an unreviewed PR')\n"}, MALLORY)
    r9 = web_flow_commit(repo, env, fpr, message, {"README.md": "y\n"}, DANA)
    head9 = "9" * 40  # SYNTHETIC: the PR's own branch is not in the runner's clone
    payload = webhook_example("api.github.com/merge_group/checks_requested.payload.json")
    group = payload["merge_group"]
    group["base_sha"], group["head_sha"], group["base_ref"] = base, r9, "refs/heads/main"  # SYNTHETIC
    group["head_ref"] = f"refs/heads/gh-readonly-queue/main/pr-9-{head9}"
    for sha in (r8, r9):
        httpserver.expect_request(f"/repos/{REPO}/commits/{sha}/pulls").respond_with_json([])
    serve_reviews(httpserver, 9, [synthetic_review("carol", "APPROVED", head9, rid=1)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/9/commits").respond_with_json(
        [synthetic_pull_commit(head9, login="dana", email=DANA[1], message=message)])
    gh.event.write_text(json.dumps(payload))
    settings = ActionSettings.from_env({**gh.vars, "GITHUB_EVENT_NAME": "merge_group"})
    verdict = run_action(settings, forge_keys=keys).verdict  # type: ignore[arg-type]
    assert verdict is not None
    copied = next(c for c in verdict.commits if c.commit.sha == r8)
    assert copied.signature.status.value == "good"  # premise: GitHub made it
    assert copied.review.status is not ReviewStatus.APPROVED, (
        f"an earlier entry's unapproved commit passed on the named PR's approval by copying a commit message of it "
        f"(exit {verdict.exit_code}): {copied.review.detail}")
    assert verdict.exit_code == ExitCode.BLOCKED


# -- 2. CODEOWNERS: Enterprise Managed Users' logins --------------------------------------------------------------

@pytest.mark.parametrize("login", ["sec-lead_acme", "jdoe_2abvd19d"])
def test_codeowners_line_naming_an_emu_login_is_kept(login: str) -> None:
    """Finding 2. An EMU login (`<handle>_<shortcode>`) is a valid owner on GitHub; `_OWNER` rejects the `_`, the line
    is skipped whole and `.gatekeeper.yml` falls to the catch-all team: any member of acme/everyone may approve a
    change to the gate's policy. Secure: the line stands, @<login> owns the policy file."""
    owners = parse_codeowners("*                 @acme/everyone\n"
                              f"/.gatekeeper.yml  @{login}\n"
                              f"/.gatekeeper/     @{login} @acme/security\n")
    found = {path: owners.owners_for(path) for path in (".gatekeeper.yml", ".gatekeeper/devices.yml")}
    assert found == {".gatekeeper.yml": (f"@{login}",), ".gatekeeper/devices.yml": (f"@{login}", "@acme/security")}, (
        f"CODEOWNERS lines naming the EMU login @{login} were skipped: {found}")
    groups = owner_requirements([".gatekeeper.yml"], owners).groups
    assert [sorted(g.users) for g in groups] == [[login]]


# -- 3. decision log: the immutable=1 reader while a hook appends -------------------------------------------------

_READER = """
import json, sys
from pathlib import Path
from gatekeeper.audit import decisionlog as dlog
from gatekeeper.audit.sqlite_store import SqliteStore
store = SqliteStore(Path(sys.argv[1]), create=False)
real = store.heads
def heads():
    found = real()
    print("heads-read", flush=True)
    sys.stdin.readline()  # a hook appends now
    return found
store.heads = heads
try:
    result = dlog.verify(store)
    print(json.dumps({"ok": result.ok, "problems": [str(p) for p in result.problems]}), flush=True)
except Exception as exc:  # what `gatekeeper log verify` would print
    print(json.dumps({"ok": False, "error": getattr(exc, "message", str(exc))}), flush=True)
"""


def _demote() -> None:
    os.setgid(65534)
    os.setuid(65534)


@pytest.mark.skipif(os.geteuid() != 0 or not Path("/usr/bin/python3").exists(),
                    reason="needs root to run the reader as another user (the directory must not be writable to it)")
@pytest.mark.parametrize("appends", [1, 20])
def test_read_only_verify_while_a_hook_appends_reads_one_moment(appends: int) -> None:
    """Finding 3. An intact log in a directory the auditor (user nobody) may not write: `mode=ro` cannot make the
    `-shm` file, no `-wal` exists, so the reader opens it `immutable=1`. verify reads the heads; a hook appends
    `appends` records and closes (its checkpoint writes the main file); verify reads on. Measured: "database disk
    image is malformed (the file is damaged …)" for an intact log. Secure: verify sees one moment — the log as it was
    when it started, or as it is after the append — and reports it intact."""
    # (pytest's tmp_path sits under a 0700 directory of root's: the reader's directory is made where nobody can reach it)
    root = Path(tempfile.mkdtemp(prefix="red117-log-"))
    try:
        _verify_while_appending(root, appends)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _verify_while_appending(root: Path, appends: int) -> None:
    directory = root / "logs"
    directory.mkdir()
    log = directory / "decisions.db"
    fill(log, 5)
    assert sorted(p.name for p in directory.iterdir()) == ["decisions.db"]  # (no -wal: the writer checkpointed)
    script = root / "reader.py"
    script.write_text(_READER)
    for path, mode in ((root, 0o755), (directory, 0o755), (log, 0o644), (script, 0o644)):
        path.chmod(mode)
    package = Path(__file__).resolve().parents[1]
    reader = subprocess.Popen(["/usr/bin/python3", str(script), str(log)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_demote, cwd="/",
                              env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(package)})
    try:
        line = reader.stdout.readline().strip() if reader.stdout else ""
        if line != "heads-read":
            pytest.skip(f"the reader could not start as nobody: {line} {reader.stderr.read() if reader.stderr else ''}")
        hook = SqliteStore(log, create=True)
        for _ in range(appends):
            hook.append(entry())
        hook.close()
        out, err = reader.communicate("\n", timeout=60)
    finally:
        if reader.poll() is None:
            reader.kill()
            reader.wait()
    result = json.loads(out.strip().splitlines()[-1])
    assert result["ok"], f"an intact log read read-only while a hook appended was reported broken: {result} {err}"


# -- 4. the cost of a merge: processes per parent per 1,024 paths -------------------------------------------------

@pytest.fixture
def git_processes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[list[str]]]:
    """The argv of every git process the code under test starts."""
    started: list[list[str]] = []
    real = subprocess.Popen.__init__

    def counting(self: subprocess.Popen[bytes], args: object, *rest: object, **kw: object) -> None:
        if isinstance(args, (list, tuple)) and args and "git" in str(args[0]):
            started.append([str(a) for a in args])
        real(self, args, *rest, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(subprocess.Popen, "__init__", counting)
    yield started


def _fast_import(repo: Path, stream: list[bytes]) -> None:
    subprocess.run(["git", "-C", str(repo), "fast-import", "--quiet"], input=b"".join(stream), check=True)


def _commit(stream: list[bytes], ref: str, mark: int, message: str, parents: list[int], files: dict[str, int],
            deleteall: bool = False) -> None:
    stream.append(f"commit {ref}\nmark :{mark}\ncommitter a <a@example.com> 1577836800 +0000\n"
                  f"data {len(message)}\n{message}\n".encode())
    if parents:
        stream.append(f"from :{parents[0]}\n".encode())
        stream.extend(f"merge :{p}\n".encode() for p in parents[1:])
    if deleteall:
        stream.append(b"deleteall\n")
    stream.extend(f"M 100644 :{blob} {path}\n".encode() for path, blob in files.items())
    stream.append(b"\n")


def _blob(stream: list[bytes], mark: int, data: bytes) -> None:
    stream.append(f"blob\nmark :{mark}\ndata {len(data)}\n".encode() + data + b"\n")


def test_many_merges_of_a_push_do_not_cost_processes_each(tmp_path: Path, git_processes: list[list[str]]) -> None:
    """Finding 4 (merges x parents). A branch of 40 commits that merged main after each (40 two-parent merges, each
    resolving a conflict in `conf.py`): the scan starts one `diff-tree` per parent per merge plus one per run of
    non-merges between them (measured: 121 diff-tree, 164 git processes; the --cc code before fb8e451 used 3). On
    git.git v2.40..v2.45 this was 1,548 processes and 12.7 s against 3 and 4.0 s. Secure: the processes do not grow with the merges."""
    repo = tmp_path / "many.git"
    subprocess.run(["git", "init", "-q", "--bare", str(repo)], check=True)
    stream: list[bytes] = []
    mark = 1
    blobs: dict[str, int] = {}

    def blob(text: str) -> int:
        nonlocal mark
        if text not in blobs:
            _blob(stream, mark, text.encode())
            blobs[text] = mark
            mark += 1
        return blobs[text]

    commit_mark = 100_000
    _commit(stream, "refs/heads/main", commit_mark, "base", [], {"conf.py": blob("x = 0\n")})
    main, side = commit_mark, commit_mark
    for i in range(40):
        commit_mark += 1
        _commit(stream, "refs/heads/main", commit_mark, f"main {i}", [main], {"conf.py": blob(f"x = {i}\nm = {i}\n")})
        main = commit_mark
        commit_mark += 1
        _commit(stream, "refs/heads/side", commit_mark, f"side {i}", [side], {"conf.py": blob(f"x = {i}\ns = {i}\n"),
                                                                              f"f{i}.py": blob(f"y = {i}\n")})
        side = commit_mark
        commit_mark += 1
        _commit(stream, "refs/heads/side", commit_mark, f"merge {i}", [side, main],
                {"conf.py": blob(f"x = {i}\nm = {i}\ns = {i}\nresolved = {i}\n")})
        side = commit_mark
    _fast_import(repo, stream)
    git = Git(repo)
    commits = subprocess.run(["git", "-C", str(repo), "rev-list", "--reverse", "side", "^main"], capture_output=True,
                             text=True, check=True).stdout.split()
    git_processes.clear()
    found: dict[tuple[str, str], list[str]] = {}
    for c, p in iter_commit_additions(git, commits):
        found.setdefault((c, p.path), []).extend(t for _, t in p.added)
    resolved = [lines for (c, path), lines in found.items() if path == "conf.py" and any("resolved" in t for t in lines)]
    assert len(resolved) == 40  # premise: every merge's own line is found
    # (Each merge is also re-merged by git, one `git log --remerge-diff` each (fix133m: what it holds beyond git's
    # own merge of its parents; one process per merge, red59); its conflicted paths are read against each parent
    # in one more diff-tree for all of them.)
    diffs = [argv for argv in git_processes if "diff-tree" in argv]
    assert len(diffs) <= 4, (f"{len(diffs)} diff-tree processes for 80 commits with 40 merges "
                             f"({len(git_processes)} git processes in all; 3 before fb8e451)")


def test_a_merge_of_many_files_in_one_directory_diffs_each_parent_once(
        tmp_path: Path, git_processes: list[list[str]]) -> None:
    """Finding 4 (quadratic). One merge of 6,000 files in one directory, each differing from both parents: the scan
    diffs each parent once per 1,024 paths (12 processes), each matching 1,024 literal pathspecs against all 6,000
    entries — N²/1024 per parent: 20,000 files took 6.1 s (1.3 s with --cc), 60,000 took 47.7 s (4.5 s). Secure:
    each parent is diffed once (and the evil line is still found)."""
    repo = tmp_path / "flat.git"
    subprocess.run(["git", "init", "-q", "--bare", str(repo)], check=True)
    stream: list[bytes] = []
    for mark, data in ((1, b"left\n"), (2, b"right\n"), (3, b"merged\n")):
        _blob(stream, mark, data)
    names = [f"f{i}.txt" for i in range(6000)]
    _commit(stream, "refs/heads/p1", 10, "p1", [], dict.fromkeys(names, 1))
    _commit(stream, "refs/heads/p2", 11, "p2", [], dict.fromkeys(names, 2))
    _commit(stream, "refs/heads/m", 12, "m", [10, 11], dict.fromkeys(names, 3), deleteall=True)
    _fast_import(repo, stream)
    git = Git(repo)
    merge = git.resolve("m")
    git_processes.clear()
    found = sum(1 for _, p in iter_commit_additions(git, [merge]) if p.added == ((1, "merged"),))
    assert found == 6000  # premise
    diffs = [argv for argv in git_processes if "diff-tree" in argv]
    assert len(diffs) <= 3, (f"{len(diffs)} diff-tree processes for one two-parent merge "
                             f"(up to {max(sum(x.startswith(':(top,literal)') for x in a) for a in diffs)} literal pathspecs each)")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
