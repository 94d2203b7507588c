"""Red team red21: ways a credential still comes out of the gate after red20's fixes (4275738).

Real repositories, the real CLI in-process (`gatekeeper check` / `gatekeeper audit`), real `git push` into a
bare repository with the hook installed. Tokens are built at run time: this file holds no token-shaped literal.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.leak_helpers import base_repo, check_all, leaked, secrets_server, token_maker
from tests.repo_builder import RepoBuilder

github_token = token_maker(2121)



def escaped_tool(token: str) -> str:
    """A tool name, as JSON text, whose parsed value is 80 characters: the clip at 60 keeps "ghp_" and 35 of the
    token's 36 characters. One character of the token is a JSON escape, so the raw note never holds it whole
    (only the decoded value does: attribution.record_strings is what the redaction reads it from)."""
    return '"' + "t" * 19 + " " + token[:10] + f"\\u{ord(token[10]):04x}" + token[11:] + "-" * 20 + '"'


def trace_record(tool_json: str) -> str:
    return ('{"version":"0.1.0","tool":{"name":' + tool_json + '},"files":[{"path":"a.txt","conversations":'
            '[{"contributor":{"type":"ai","model_id":"m-1"},"ranges":[{"start_line":1,"end_line":2}]}]}]}')


# -- red21-1: attribution.record_strings is not the parsers' reading of an Agent Trace note. It partitions EVERY
# record at "\n---\n" (git-ai's separator) and decodes only what follows, while parse_agent_trace reads an Agent
# Trace note as JSON lines (a "---" line is skipped as not JSON); it decodes the whole text unstripped, while
# _records strips it first (str.strip() removes a no-break space that JSON does not take as whitespace); and
# it stops at 10,000 strings, which a first record of decoys exhausts before the real one is read. Each way the
# decoded tool name (cut at 60 with a mark) holds all but the token's last character, and no source holds the
# token whole for the Replacer to recognise the cut copy by.

def _trace_note(how: str, token: str) -> str:
    record = trace_record(escaped_tool(token))
    if how == "plain":  # the control: record_strings decodes it, the cut copy is redacted (passes on main)
        return record
    if how == "dashes-line":
        return record + "\n---\n" + '{"note":"see above"}'
    if how == "nbsp-around":
        return "\u00a0" + record + "\u00a0"
    decoys = json.dumps({"decoys": ["d"] * 10_001})  # not a trace record: skipped by the parser
    return decoys + "\n" + record


@pytest.mark.parametrize("how", ["plain", "dashes-line", "nbsp-around", "decoys-first"])
def test_check_never_prints_a_token_cut_from_an_agent_trace_tool_name(
        how: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    token = github_token()
    repo = base_repo(tmp_path)
    sha = repo.commit("agent change\n", {"a.txt": "x\ny\n"})
    repo.note(sha, _trace_note(how, token), ref="refs/notes/agent-trace")
    shown = check_all(tmp_path, capsys, repo)
    assert [fmt for fmt, (_code, out) in shown.items() if leaked(token, out)] == []


def test_push_never_keeps_a_token_cut_from_an_agent_trace_tool_name(tmp_path: Path) -> None:
    from tests.hook_helpers import spush
    token = github_token()
    server, work = secrets_server(tmp_path)
    sha = work.commit("agent change\n", {"a.txt": "x\ny\n"})
    work.note(sha, _trace_note("dashes-line", token), ref="refs/notes/agent-trace")
    result = spush(server, work, "origin", "main", "refs/notes/agent-trace")
    assert not leaked(token, result.output), result.output
    assert not leaked(token, server.audit_log.read_text()), "the audit log keeps it"


# -- red21-2: secrets_scanner._message_findings reads the commit's HEADER only as stored (header_text(raw), the
# bytes decoded as UTF-8), while git re-encodes the whole commit from the encoding its header names, the author
# line included (git log %an, git show). In an ISO-8859-1 commit the byte 0xAD between two halves of a token in
# the author name is U+FFFD to the scanner and a soft hyphen (shown as nothing) to git: nothing is found, the
# commit is allowed, while the gate's own redaction (which reads the re-encoded name) recognises the token. The
# fix of red20-3 covered the message only (`commit.message` as git shows it), not the header.

def _encoded_commit(repo: RepoBuilder, name: str, message: str, encoding: str, codec: str,
                    header_codec: str | None = None) -> str:
    import subprocess
    tree = repo.git("rev-parse", "HEAD^{tree}").strip()
    parent = repo.git("rev-parse", "HEAD").strip()
    raw = (f"tree {tree}\nparent {parent}\nauthor {name} <a@example.com> 1700000000 +0000\n"
           f"committer A <a@example.com> 1700000000 +0000\nencoding {encoding}\n\n").encode(header_codec or codec)
    raw += message.encode(codec)
    sha = subprocess.run(["git", "-C", str(repo.path), "hash-object", "-t", "commit", "-w", "--stdin"], input=raw,
                         capture_output=True, check=True).stdout.decode().strip()
    repo.git("update-ref", "HEAD", sha)
    return sha


def _latin1_author(repo: RepoBuilder, token: str) -> str:
    return _encoded_commit(repo, f"Ann {token[:12]}\u00ad{token[12:]}", "fix\n", "ISO-8859-1", "latin-1")


def test_check_blocks_a_token_split_by_a_soft_hyphen_in_a_latin1_author_name(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    token = github_token()
    repo = base_repo(tmp_path)
    _latin1_author(repo, token)
    assert repo.git("log", "-1", "--format=%an").strip() == f"Ann {token[:12]}\u00ad{token[12:]}"  # as git shows it
    for fmt, (code, out) in check_all(tmp_path, capsys, repo, formats=("text", "json")).items():
        assert code != 0, (fmt, out)


def test_push_blocks_a_token_split_by_a_soft_hyphen_in_a_latin1_author_name(tmp_path: Path) -> None:
    from tests.hook_helpers import spush
    token = github_token()
    server, work = secrets_server(tmp_path)
    _latin1_author(work, token)
    result = spush(server, work, "origin", "HEAD:main")
    assert result.code != 0, result.output


# -- red21-3 (low): a message in an encoding git cannot show (EBCDIC, `encoding IBM037`: git re-encodes the whole
# object and shows an empty message) is scanned only as its bytes decoded as UTF-8, which hold nothing. Readers
# that honour the encoding header (GitPython's Commit.message, libgit2/pygit2 and any tool decoding the object as
# it declares) show the token; the commit is allowed.

def test_check_blocks_a_token_in_an_ebcdic_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    token = github_token()
    repo = base_repo(tmp_path)
    sha = _encoded_commit(repo, "Ann", f"deploy {token}\n", "IBM037", "cp037", "ascii")
    assert token not in repo.git("log", "-1", "--format=%B", sha)  # git shows nothing of it
    for fmt, (code, out) in check_all(tmp_path, capsys, repo, formats=("text",)).items():
        assert code != 0, (fmt, out)
