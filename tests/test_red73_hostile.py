"""Red team red73: the audit's single history walk that also names the commits changing the Agent Trace file
(ca47151: `git log -z --pretty=raw --encoding=none ... --full-history --sparse --name-only
--diff-merges=first-parent --no-renames -- .agent-trace/traces.jsonl`, parsed by `_touching_batches` /
`_names_cut` in gatekeeper/git/history.py, used by run_audit for EVERY commit's record).

What was tried and held (no test: the walk agreed with plain git and with path_changes): 200 random histories
of hand-written commit objects (`hash-object --literally`: up to 3 parents, merges TREESAME to a parent,
octopus merges, roots, dates skewed by a day, excluded tips, `--since` cutoffs, every_ref) whose messages
were empty, blank-only, CR-only, form feeds, invalid UTF-8, NUL inside and first, 70 KB across the 64 KiB
read boundary, `encoding UTF-16` — same commits, same order, same parsed records (raw_parts), and `found`
always a superset of path_changes' commits; headers cut by a NUL, indented header lines, no blank line at
all, a directory at the path whose file names hold newlines. The parser itself is sound: git indents every
message line and prints the names after a blank line, and names under the pathspec always begin with `.`.

What fails is below. Each test FAILS on the code at the time of writing and asserts the secure behaviour.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.leak_helpers import gk
from tests.repo_builder import RepoBuilder

TRACE = ".agent-trace/traces.jsonl"


def _audit(capsys: pytest.CaptureFixture[str], repo: Path, *args: str) -> dict[str, Any]:
    code, out = gk(capsys, "audit", "--repo", str(repo), "--format", "json", "--no-progress", *args)
    assert code == 0, out[-3000:]
    data: dict[str, Any] = json.loads(out[: out.rindex("}") + 1])
    return data


# -- 1. a treeless clone: the record walk now needs every tree, and the audit offline has none ------------------------

def test_a_treeless_clone_makes_the_audit_report_an_empty_history(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """Attack / situation: the audit runs in a treeless partial clone (`git clone --filter=tree:0`, what
    `actions/checkout` with `filter: tree:0` or a fast CI fetch makes). Every commit object is here; the trees
    are not. The audit is offline on purpose (`protocol.allow=never`: "the history audit reads what is here and
    says what is not") and says for partial clones that "changed paths are not read (git would fetch missing
    trees)" — only zones are meant to be lost.

    The audit: ca47151 put the Agent Trace pathspec (`--full-history --sparse --name-only -- TRACE_FILE`) on the
    ONE walk every record comes from. git must now read the tree of every commit and parent (TREESAME checks and
    the first-parent diff), the first missing tree is an error (`transport 'file' not allowed`), and the record
    walk dies before its first record: the report says `commits: 0`, "the range holds no commits" (plus a note
    that git stopped). The plain record walk (`git log -z --pretty=raw`) needs no tree and reads all of them.

    Should: every commit of the history audited (5 here); only the Agent Trace file evidence (and zones) said
    unread for a partial clone. Severity medium: in a treeless CI clone the security team's AI/mobile report
    is empty — every phone, browser and agent commit missing — though all the records it needs are here.
    Fix: do not put the pathspec on the record walk when the clone is partial (or when it fails on a missing
    tree): walk the records plainly and say the trace-file evidence was not read (or read it per commit with
    path_changes, failing soft), as zones already do."""
    origin = RepoBuilder.init(tmp_path / "origin")
    origin.git("config", "uploadpack.allowFilter", "true")
    for i in range(5):
        origin.commit(f"change {i}\n", {f"f{i}.txt": f"{i}\n"})
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--no-checkout", "--filter=tree:0", f"file://{origin.path}", str(clone)],
                   check=True, capture_output=True)
    # The commits are all here (what the audit's records are made of): git reads them without a tree.
    plain = subprocess.run(["git", "-C", str(clone), "-c", "protocol.allow=never", "log", "-z", "--pretty=raw",
                            "--encoding=none", "main"], capture_output=True, check=True).stdout
    assert plain.count(b"\x00") + 1 == 5
    data = _audit(capsys, clone)
    assert data["summary"]["commits"] == 5, data["summary"]["notes"]


# -- 2. the records are not the plain walk's: an empty message keeps a blank line ---------------------------------

def test_a_commit_with_an_empty_message_that_changes_the_trace_file_has_a_record_unlike_the_plain_walk(
        tmp_path: Path) -> None:
    """Attack: a commit whose message is empty (or only blank lines — git prints none of it) changes
    `.agent-trace/traces.jsonl`. git prints its record as the headers and ONE newline; with `--name-only` a
    blank line and the names follow. `_names_cut` cuts after the blank line that it took for the end of the
    headers, so the record it yields ends in `\\n\\n` where the plain walk's ends in `\\n`.

    The audit: the record differs byte for byte from `git log -z --pretty=raw` (the contract of
    iter_raw_records(touching=…) and of ca47151's message: "Records are identical to the plain walk's, names cut
    off"). raw_parts and _PLAIN_HEAD happen to read the same fields from both today (found no misreport from
    it), but every byte-level reader of records (the fast path's patterns, _record_id, declares_encoding, the
    `line` scan) is held to the plain walk's bytes, not these.

    Should: the same bytes as the plain walk. Severity low (a broken invariant, no misreport shown).
    Fix: in _names_cut, when nothing is indented after the header blank line, cut one newline earlier (the
    record then ends where git's plain record ends), or cut at the last `\\n\\n` before the names."""
    from gatekeeper.git import Git

    repo = RepoBuilder.init(tmp_path / "repo")
    repo.commit("base\n", {"a.txt": "a\n"})
    for n, message in enumerate((b"", b"\n\n   \n")):
        repo.write(TRACE, '{"version":"0.1.0"}\n' * (n + 1))
        repo.git("add", TRACE)
        body = (f"tree {repo.git('write-tree')}\nparent {repo.head()}\nauthor A <a@example.com> 1767225900 +0000\n"
                f"committer A <a@example.com> 1767225900 +0000\n\n").encode() + message
        sha = repo.git("hash-object", "-t", "commit", "-w", "--stdin", input=body)
        repo.git("update-ref", "refs/heads/main", sha)
    repo.commit("after\n", {"b.txt": "b\n"})  # the empty-message commits are not the walk's last record
    git = Git(repo.path)
    found: set[str] = set()
    walked = [raw for batch in git.iter_raw_records(["main"], touching=(TRACE, found)) for raw in batch]
    plain = [raw for batch in git.iter_raw_records(["main"]) for raw in batch]
    assert len(found) == 2  # both commits change the file, and both are named
    assert walked == plain
