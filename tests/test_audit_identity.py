"""The audit reports the commits the gate refuses as `provenance/ambiguous-identity` (red74-red76): a commit
object whose stored author or committer is not the one git reads — a second header (git reads the last, forges
and `git cat-file` the first), or a declared encoding that rewrites the headers or cuts the message. Before,
the audit counted such a commit under git's reading alone, so a security team saw "Alice, signed by Alice's
phone" where GitHub shows Bob. Real repositories, hand-written objects `git fsck --strict` accepts, the real CLI;
every JSON report checked against the published schema."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from gatekeeper.git import stored_object
from tests.provenance_helpers import raw_commit, utf7
from tests.repo_builder import RepoBuilder
from tests.test_audit import audit_json, gk

WHEN = b"1767225600 -0500"  # (not `+0000`: in UTF-7 `+` opens a base64 run)
BOB = [b"author Bob <bob@example.com> " + WHEN, b"committer Bob <bob@example.com> " + WHEN]


def _history(tmp_path: Path) -> tuple[RepoBuilder, dict[str, str]]:
    repo = RepoBuilder.init(tmp_path / "repo")
    repo.commit("policy", {".gatekeeper.yml": "version: 1\nprotected_refs: [refs/heads/main]\n"})
    shas = {
        "two authors": raw_commit(repo, tmp_path, [*BOB, b"author Alice <alice@example.com> " + WHEN],
                                  b"two authors\n"),
        "utf-7": raw_commit(repo, tmp_path, [*BOB, b"encoding UTF-7",
                                             b"x-note " + utf7("\nauthor Alice <alice@example.com> " + WHEN.decode())],
                            b"utf-7\n"),
        # Controls: a declared encoding that keeps ASCII as it is, and an ordinary extra header.
        "latin-1": raw_commit(repo, tmp_path, [b"author J\xfcrgen <j@example.com> " + WHEN,
                                               b"committer J\xfcrgen <j@example.com> " + WHEN, b"encoding ISO-8859-1"],
                              b"latin-1\n\nGr\xfc\xdfe\n\n\n"),
        "extra header": raw_commit(repo, tmp_path, [*BOB, b"x-note plain"], b"extra header\n"),
    }
    repo.commit("plain", {"a.txt": "a\n"})
    return repo, shas


def test_the_audit_lists_what_the_gate_refuses_as_ambiguous_identity(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    repo, shas = _history(tmp_path)
    data = audit_json(capsys, repo.path)
    found = {c["sha"]: c["ambiguous_identity"] for c in data["commits"]}
    assert len(found) == 6
    assert "2 author headers" in found[shas["two authors"]]
    assert "declared encoding" in found[shas["utf-7"]]
    assert [sha for sha, why in found.items() if why] == [shas["utf-7"], shas["two authors"]]
    block = data["summary"]["ambiguous_identity"]
    assert block["total"] == 2 and not block["truncated"]
    assert {i["sha"]: i["protected"] for i in block["items"]} == {shas["utf-7"]: True, shas["two authors"]: True}
    # git's reading is what the record shows as the author; the list says it is not the stored one.
    record = next(c for c in data["commits"] if c["sha"] == shas["two authors"])
    assert record["author"]["email"] == "alice@example.com"
    # The same with the fast path off (text output judges every commit the full way) and in the HTML report.
    code, out, err = gk(capsys, "audit", "--repo", str(repo.path), "--format", "text")
    assert code == 0, err
    assert "commits that store an identity or text git does not read (the gate refuses them): 2" in out
    assert shas["two authors"][:12] in out and shas["utf-7"][:12] in out
    page = tmp_path / "r.html"
    code, _, err = gk(capsys, "audit", "--repo", str(repo.path), "--format", "html", "--output", str(page))
    assert code == 0, err
    html = page.read_text()
    table = html[html.index('id="identity-table"'):]
    table = table[: table.index("</table>")]
    assert shas["two authors"][:12] in table and shas["utf-7"][:12] in table
    assert shas["latin-1"][:12] not in table


def test_the_same_commits_are_the_ones_the_gate_refuses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The audit's list and the gate's findings agree commit for commit (one judgment, two readers)."""
    repo, shas = _history(tmp_path)
    data = audit_json(capsys, repo.path)
    listed = {i["sha"] for i in data["summary"]["ambiguous_identity"]["items"]}
    code, out, _ = gk(capsys, "check", "--repo", str(repo.path), "--base", f"{shas['two authors']}~1",
                      "--format", "json")
    verdict = json.loads(out)
    refused = {f["commit"] for f in verdict["findings"] if f["rule_id"] == "provenance/ambiguous-identity"}
    assert code == 1 and refused == listed == {shas["two authors"], shas["utf-7"]}


def test_stored_object_undoes_gits_raw_printing(tmp_path: Path) -> None:
    """The object as stored, from a `git log --pretty=raw` record: byte for byte what `git cat-file` gives but
    for trailing blank lines (git does not print them), and for a commit with no message."""
    repo, shas = _history(tmp_path)
    empty = raw_commit(repo, tmp_path, BOB, b"")
    for sha in (*shas.values(), empty):
        record = _git(repo.path, "log", "-z", "-1", "--pretty=raw", "--encoding=none", sha)
        # (git prints no trailing blank lines of a message; nothing the audit compares counts them.)
        stored = _git(repo.path, "cat-file", "commit", sha)
        assert stored_object(record.rstrip(b"\0")).rstrip(b"\n") == stored.rstrip(b"\n"), sha


def _git(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True).stdout
