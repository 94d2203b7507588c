"""Red team red71: a hostile committer against `gatekeeper audit` — where the report tells the security team
something the history does not say (an AI or web commit counted as ordinary, unreviewed work counted as
reviewed, counts that disagree with what is listed, output whose structure commit data decides).

Each test FAILS on the code at the time of writing, for the reason its docstring names, and
asserts the secure behaviour (it passes once fixed). Real repositories built with git, the real CLI in-process
(`gatekeeper audit` and, where the two must agree, `gatekeeper check --format json` on the same commit).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.leak_helpers import gk
from tests.provenance_helpers import Key, install_policy, make_keys, registry_with, signed_commit
from tests.repo_builder import RepoBuilder
from tests.test_audit_evidence_sources import _trace, _unreviewed

PROTECTED_MAIN = "version: 1\nprotected_refs: [refs/heads/main]\n"
TRACE = ".agent-trace/traces.jsonl"


def _policy(tmp_path: Path, text: str = PROTECTED_MAIN) -> Path:
    path = tmp_path / "policy.yml"
    path.write_text(text)
    return path


def _audit(capsys: pytest.CaptureFixture[str], repo: Path, *args: str) -> dict[str, Any]:
    code, out = gk(capsys, "audit", "--repo", str(repo), "--format", "json", "--no-progress", *args)
    assert code == 0, out
    data: dict[str, Any] = json.loads(out[: out.rindex("}") + 1])
    return data


def _check(capsys: pytest.CaptureFixture[str], repo: Path, base: str, head: str, policy: Path) -> dict[str, Any]:
    code, out = gk(capsys, "check", "--repo", str(repo), "--base", base, "--head", head, "--policy", str(policy),
                   "--format", "json")
    data: dict[str, Any] = json.loads(out[out.index("{") : out.rindex("}") + 1])
    return data


def _by_sha(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["sha"]: c for c in data["commits"]}


@pytest.fixture
def repo(tmp_path: Path) -> RepoBuilder:
    repo = RepoBuilder.init(tmp_path / "repo")
    repo.commit("init\n", {"README.md": "hello\n"})
    return repo


# -- 1. the audit still looks for Agent Trace records only when the tip holds the file (red55, fixed in the gate) --

def test_a_trace_file_deleted_later_hides_the_agent_commit_from_the_audit(repo: RepoBuilder, tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """Attack: an agent's commit writes `src/retry.py` and its tooling appends the Agent Trace record naming it to
    `.agent-trace/traces.jsonl` (what the reference implementation does). A later commit on main deletes the file
    ("chore: drop tooling files"). The gate reads the records each judged commit adds whatever the tip holds
    (engine._trace_files, fixed for red55), so `gatekeeper check` of that commit says `ai: assisted`.

    The audit: `_Runner._evidence_sources` (gatekeeper/audit/history.py) still runs `git.path_commits` for the
    trace file only `if rng.every_ref or any(git.object_exists(f"{tip}:{TRACE_FILE}") ...)` — the red55 shortcut
    the gate dropped. The tip no longer holds the file, `traced` stays empty, the agent commit takes the fast path
    and is reported `ai: none`, not AI-involved, and not in `unreviewed_mobile_ai_on_protected`.

    Should: the agent commit is `ai: assisted` (as check says), counted in `ai_involved` and listed unreviewed.
    Severity high: one deleting commit erases every earlier agent commit of the project from the security team's
    AI report — the audit's headline number — while the gate had classified them as AI.
    Fix: ask git which commits of the range changed the file (`path_commits`) unconditionally, as the engine does;
    it is one rev-list."""
    policy = _policy(tmp_path)
    base = repo.head()
    sha = repo.commit("tune the retry loop\n", {"src/retry.py": "a = 1\nb = 2\n",
                                                TRACE: _trace(base, "src/retry.py") + "\n"})
    repo.git("rm", "-q", TRACE)
    repo.commit("chore: drop tooling files\n")
    checked = _check(capsys, repo.path, base, sha, policy)
    assert checked["commits"][0]["origin"]["ai"] != "none", checked["commits"][0]  # the gate sees the agent
    data = _audit(capsys, repo.path, "--policy", str(policy))
    audited = _by_sha(data)[sha]
    assert audited["ai"]["involvement"] != "none", audited
    assert data["summary"]["ai_involved"]["count"] == 1
    assert sha in _unreviewed(data)


# -- 2. a second `committer` header: git (and the gate) read the last one, the audit the first ------------------------

def _raw(repo: RepoBuilder, headers: list[str], message: str) -> str:
    """A commit object written as given (`git hash-object -t commit -w`, which runs git's own format check)."""
    tree = repo.git("write-tree")
    body = f"tree {tree}\nparent {repo.head()}\n" + "".join(h + "\n" for h in headers) + "\n" + message
    sha = repo.git("hash-object", "-t", "commit", "-w", "--stdin", input=body)
    repo.git("update-ref", "refs/heads/main", sha)
    return sha


def test_a_second_committer_header_hides_the_agent_committer_from_the_audit(repo: RepoBuilder, tmp_path: Path,
                                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Attack: a pusher writes a commit object with two `committer` headers, `Dev <dev@corp.example>` then
    `Claude <noreply@anthropic.com>` (the agent's own address). `git fsck --strict` accepts it: fsck checks the one
    committer line it expects after `author` and nothing after it, so servers with receive.fsckObjects (GitHub)
    take it. git reads the LAST `committer` line (pretty.c parse_commit_header overwrites as it goes): `git log
    --format=%cn <%ce>` says Claude, and so does the gate — `gatekeeper check` (`%cn`/`%ce` fields) reports
    `ai: assisted`, evidence `ai/author` "committer … is claude-code".

    The audit parses `git log --pretty=raw` itself: `raw_parts` (gatekeeper/git/history.py) takes the FIRST
    `\\ncommitter ` it finds (`head.find`), so the commit is Dev's, `ai: none`, and not listed in
    `unreviewed_mobile_ai_on_protected` although it sits on main with no review.

    Should: the audit reads the identity git reads (the last header of each kind, as `%an`/`%cn` do), so the commit is
    AI-involved and listed unreviewed, as the gate judged it. (The same holds for a repeated `author` header, which
    fsck flags as multipleAuthors but a server without fsckObjects — the default — accepts.)
    Severity medium: an object-writing pusher makes the security team's report disagree with the gate's decision on
    the same commit (the gate counted AI; the audit shows a person), so an agent's unreviewed commits vanish from
    the audit's AI and unreviewed lists.
    Fix: in raw_parts (and the fast path's _PLAIN_HEAD, which already sends such a record to the full path) take
    the last `author`/`committer` header, or read identities with git's own `%an %ae %cn %ce`; or treat a
    commit with repeated identity headers as evidence (it is never written by git itself)."""
    policy = _policy(tmp_path)
    base = repo.head()
    sha = _raw(repo, ["author Dev <dev@corp.example> 1767225900 +0000",
                      "committer Dev <dev@corp.example> 1767225900 +0000",
                      "committer Claude <noreply@anthropic.com> 1767225900 +0000"], "tune the retry loop\n")
    assert repo.git("fsck", "--strict", "--no-dangling") == ""  # a well-formed object as git sees it
    assert repo.git("log", "-1", "--format=%cn <%ce>", sha) == "Claude <noreply@anthropic.com>"
    checked = _check(capsys, repo.path, base, sha, policy)
    assert checked["commits"][0]["origin"]["ai"] == "assisted", checked["commits"][0]  # the gate sees the agent
    data = _audit(capsys, repo.path, "--policy", str(policy))
    audited = _by_sha(data)[sha]
    assert audited["ai"]["involvement"] == "assisted", audited
    assert sha in _unreviewed(data)


# -- 3. an `encoding` header git re-encodes the whole raw record with: the phone's signature disappears -----------

PHONE_POLICY = """\
version: 1
protected_refs: [refs/heads/main]
rules:
  mobile: {scanners: [], block_at: high, require_signature: false, review: null}
  default: {scanners: [], block_at: critical}
devices: .gatekeeper/devices.yml
allowed_signers: .gatekeeper/allowed_signers
"""


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Key]:
    return make_keys(tmp_path_factory)



@pytest.mark.parametrize("encoding", ["IBM037", "UTF-16"])
def test_a_commit_encoding_header_hides_the_phone_signature_from_the_audit(
        repo: RepoBuilder, keys: dict[str, Key], capsys: pytest.CaptureFixture[str], encoding: str) -> None:
    """Attack: the owner of a registered phone (its SSH key in the device registry: any commit it signs is
    `mobile`, verified — "the strongest origin signal", whatever the trailers say) sets
    `git config i18n.commitEncoding IBM037` (or UTF-16) and commits as usual, signed by the phone. git writes an
    `encoding IBM037` header into the object; nothing else changes and the signature is good.

    `git log --pretty=raw` — the audit's only reader of the history (Git.iter_raw_records) — re-encodes the WHOLE
    raw record (headers included) from that encoding to UTF-8 before printing it: everything after the `commit`
    line comes out as mojibake on one line. `raw_parts` then finds no `\ngpgsig` header (signed = False), no
    parent, no author, no message: the commit is never verified, and the audit reports it `unsigned`, class
    `desktop` (the policy's undeclared), origin `unknown`, no device id, author "" and subject "" — not mobile,
    not in `top_devices`, not in `unreviewed_mobile_ai_on_protected`. `gatekeeper check` on the same commit
    verifies the object as stored (`cat-file`) and says: mobile, signature good, device pixel8-dev.

    Should: the audit reports what check reports — mobile, good signature by pixel8-dev — and lists it unreviewed.
    Severity high: one config setting takes every commit of a phone (or of any registered device) out of the
    audit's mobile count, its device list and its unreviewed list, and blanks its author, while the gate knew.
    Fix: read the raw records with `git log --encoding=none` (git then prints the object as stored; decode the
    message per its `encoding` header in Python, as the engine's `%B` reader would) — or at least take `signed`
    from the object read by cat-file, and treat a record whose headers do not parse as evidence, not as plain."""
    install_policy(repo, PHONE_POLICY, registry_with({"id": "pixel8-dev", "owner": "dev@example.com",
                                                      "managed": True, "key": keys["alice"]}))
    base = repo.head()
    repo.git("config", "i18n.commitEncoding", encoding)
    sha = signed_commit(repo, "fix the thing\n", keys["alice"], {"a.py": "x = 1\n"})
    repo.git("config", "--unset", "i18n.commitEncoding")
    assert f"encoding {encoding}" in repo.git("cat-file", "commit", sha)
    checked = _check(capsys, repo.path, base, sha, repo.path / ".gatekeeper.yml")
    assert checked["commits"][0]["origin"]["device"] == "mobile", checked["commits"][0]  # the gate: the phone
    data = _audit(capsys, repo.path)
    audited = _by_sha(data)[sha]
    assert audited["signature"]["status"] == "good", audited["signature"]
    assert audited["signature"]["device_id"] == "pixel8-dev"
    assert audited["class"] == "mobile" and audited["mobile"] is True
    assert data["summary"]["mobile"]["count"] == 1
    assert sha in _unreviewed(data)


# -- controls for the fixes -------------------------------------------------------------------------------------------

def test_the_walk_names_the_commits_that_change_the_trace_file_and_leaves_every_record_as_it_was(
        repo: RepoBuilder) -> None:
    """The record walk that also says which commits change TRACE_FILE (iter_raw_records(touching=…)) yields exactly
    the records of the plain walk — same commits, order, parents and messages, the names cut off — and marks
    exactly the commits whose diff against their first parent changes the file (what trace_file_records reads):
    adds, edits, a deletion, a merge that differs there from its first parent, a commit whose message ends in
    lines that look like names, a directory under the path with several files (names of their own)."""
    from gatekeeper.git import Git

    base = repo.head()
    repo.commit("add\n", {TRACE: "a\n"})
    repo.git("checkout", "-q", "-b", "side", base)
    repo.commit("side edit\n", {"x.txt": "x\n"})
    repo.commit("side trace\n\n.agent-trace/traces.jsonl\n\nnot a name\n", {TRACE: "side\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("edit\n", {TRACE: "a\nb\n"})
    repo.git("merge", "-q", "--no-edit", "-X", "theirs", "side")
    repo.git("rm", "-q", TRACE)
    repo.commit("delete\n")
    repo.commit("a directory there\n", {f"{TRACE}/one": "1\n", f"{TRACE}/two\nthree": "2\n"})
    repo.commit("unrelated\n\n    indented: like a name\n", {"y.txt": "y\n"})
    git = Git(repo.path)
    found: set[str] = set()
    walked = [raw for batch in git.iter_raw_records(["HEAD"], touching=(TRACE, found)) for raw in batch]
    plain = [raw for batch in git.iter_raw_records(["HEAD"]) for raw in batch]
    assert walked == plain
    every = repo.git("log", "--format=%H", "HEAD").split()
    changed = {sha for sha, _, _ in git.path_changes(every, TRACE)}
    assert found == changed | {every[1]}  # path_changes names a file's changes; the walk a directory's too
    assert len(found) == 6  # add, side trace, edit, the merge (its side's file), delete, the directory


def test_a_commit_in_latin1_keeps_its_author_and_trailers_in_the_audit(repo: RepoBuilder, tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """--encoding=none reads records as stored: a commit that declares ISO-8859-1 (and is written in it) is decoded
    from it here, as git would re-encode it — the author's name and the message's trailers come out the same."""
    policy = _policy(tmp_path)
    tree = repo.git("write-tree")
    body = (f"tree {tree}\nparent {repo.head()}\nauthor J\xfcrgen M\xfcller <jm@example.com> 1767225900 +0000\n"
            f"committer J\xfcrgen M\xfcller <jm@example.com> 1767225900 +0000\nencoding ISO-8859-1\n\n"
            "Gr\xfc\xdfe aus dem Zug\n\nAssisted-by: Claude:claude-opus-4\n").encode("latin-1")
    obj = tmp_path / "commit.obj"
    obj.write_bytes(body)
    sha = repo.git("hash-object", "-t", "commit", "-w", str(obj))
    repo.git("update-ref", "refs/heads/main", sha)
    assert repo.git("log", "-1", "--format=%an", sha) == "J\xfcrgen M\xfcller"
    data = _audit(capsys, repo.path, "--policy", str(policy))
    audited = _by_sha(data)[sha]
    assert audited["author"]["name"] == "J\xfcrgen M\xfcller"
    assert audited["subject"] == "Gr\xfc\xdfe aus dem Zug"
    assert audited["ai"]["involvement"] == "assisted"


def test_the_last_record_of_the_walk_keeps_its_names_apart_too(tmp_path: Path) -> None:
    """git ends the output with the last commit's names and one NUL (the other lists end with two): a root commit
    that adds the trace file is still named, and its record is still only the commit."""
    from gatekeeper.git import Git

    repo = RepoBuilder.init(tmp_path / "root")
    root = repo.commit("root with records\n", {TRACE: "r\n"})
    later = repo.commit("later\n", {"a.txt": "a\n"})
    git = Git(repo.path)
    found: set[str] = set()
    walked = [raw for batch in git.iter_raw_records(["HEAD"], touching=(TRACE, found)) for raw in batch]
    assert walked == [raw for batch in git.iter_raw_records(["HEAD"]) for raw in batch]
    assert found == {root} and later not in found
