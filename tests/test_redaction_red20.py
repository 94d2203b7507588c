"""Red team red20: ways a credential still comes out of the gate after red18's fixes (39f02ee).

Real repositories, the real CLI in-process (`gatekeeper check` / `gatekeeper audit`), real `git push` into a
bare repository with the hook installed. Tokens are built at run time: this file holds no token-shaped literal.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.leak_helpers import audit_all, base_repo, check_all, leaked, secrets_server, token_maker
from tests.repo_builder import RepoBuilder

github_token = token_maker(2020)



# -- red20-1: history._source_of reads a clipped device id's source from the commit MESSAGE only. A device id
# declared in a refs/notes/origin note (NoteDetector) is clipped to 100 like a trailer's, but the note is in no
# source: the rules find nothing, `sources_full` is not set, and the clipped id (the token but its last
# characters) is printed by the JSON summary's top_devices and the HTML report.

def test_audit_never_prints_a_clipped_device_id_token_read_from_a_note(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    token = github_token()
    value = "dev-" + "x" * 60 + "-" + token  # 105 characters: the clip at 100 keeps "ghp_" and 30 of the body
    repo = base_repo(tmp_path)
    sha = repo.commit("change\n", allow_empty=True)
    repo.note(sha, f"Origin-Device: mobile\nOrigin-Device-Id: {value}\n")
    for fmt, (code, out) in audit_all(capsys, repo).items():
        assert code == 0, (fmt, out)
        assert not leaked(token, out), (fmt, out)


# -- red20-2: origin/attribution._text keeps a git-ai / Agent Trace record's text fields through
# `c.isprintable()` and json.loads: both join what the note's raw text keeps apart. The engine adds the RAW note
# to the redaction's sources (1b01068), and secrets_in reads it as written and as sanitize.visible shows it; a
# JSON escape (`\u0041`) or a character visible() keeps and isprintable() drops (a no-break space, a private-use
# character) hides the token there, while the parsed tool name (cut to 60 with a `…`) holds all but its last
# character. Nothing finds the whole token, so no rule and no Replacer entry covers the clipped copy.

def _hidden(token: str, how: str) -> str:
    """The token as written in the note's JSON: one character escaped, or a character isprintable() drops."""
    if how == "json-escape":
        return token[:10] + f"\\u{ord(token[10]):04x}" + token[11:]
    return token[:10] + {"nbsp": "\u00a0", "private-use": "\ue000"}[how] + token[10:]


def git_ai_note(tool: str) -> str:
    meta = ('{"schema_version":"authorship/3.0.0","sessions":{"s_abcdef12":{"agent_id":'
            '{"tool":"' + tool + '","id":"sess-1","model":"m-1"}}}}')
    return "a.txt\n  s_abcdef12 1-2\n---\n" + meta + "\n"


@pytest.mark.parametrize("how", ["json-escape", "nbsp", "private-use"])
def test_check_never_prints_a_token_cut_from_a_git_ai_tool_name(
        how: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.hook_helpers import SECRETS_POLICY
    token = github_token()
    repo = base_repo(tmp_path)
    sha = repo.commit("agent change\n", {"a.txt": "x\ny\n"})
    # 20 + 40 + 20 characters: the clip at 60 keeps "ghp_" and 35 of the 36 characters of the body
    # A space before the token: the rules take a token only at a word boundary ("t" * 20 + token is none).
    repo.note(sha, git_ai_note("t" * 19 + " " + _hidden(token, how) + "-" * 20), ref="refs/notes/ai")
    shown = check_all(tmp_path, capsys, repo, SECRETS_POLICY)
    if how == "json-escape":  # the decoded value holds the token whole: found, and its cut copy redacted
        assert [fmt for fmt, (_code, out) in shown.items() if leaked(token, out)] == []
    else:
        # A no-break space or a private-use character is shown as a character (a space where it is not
        # printable), never removed: the two halves are shown apart, never joined into the token (lead's fix:
        # the token is not whole anywhere, so there is nothing to find, as in a message that splits it so).
        joined = [token[10 - k : 26 - k] for k in range(1, 11)]  # every 16 characters across the split
        assert [fmt for fmt, (_code, out) in shown.items() if any(j in out for j in joined)] == []


def test_push_never_keeps_a_token_cut_from_a_git_ai_tool_name(tmp_path: Path) -> None:
    from tests.hook_helpers import spush
    token = github_token()
    server, work = secrets_server(tmp_path)
    sha = work.commit("agent change\n", {"a.txt": "x\ny\n"})
    work.note(sha, git_ai_note("t" * 19 + " " + _hidden(token, "json-escape") + "-" * 20), ref="refs/notes/ai")
    result = spush(server, work, "origin", "main", "refs/notes/ai")
    assert not leaked(token, result.output), result.output
    assert not leaked(token, server.audit_log.read_text()), "the audit log keeps it"


# -- red20-3: the secrets scanner reads a commit message as its raw bytes decoded as UTF-8 (message_text), but
# the gate's own Commit model and every reader's `git log` re-encode it from the object's `encoding` header. In an
# ISO-8859-1 message the byte 0xAD is a soft hyphen there (stripped by sanitize.visible, invisible in a browser)
# and U+FFFD in the scanner's reading: the scan finds nothing and the push is allowed, while the redaction
# (which reads the re-encoded subject) recognises the token itself ("ghp_…[sha256:…]" in the JSON verdict).

def latin1_commit(repo: RepoBuilder, token: str) -> str:
    import subprocess
    tree = repo.git("rev-parse", "HEAD^{tree}").strip()
    parent = repo.git("rev-parse", "HEAD").strip()
    raw = (f"tree {tree}\nparent {parent}\nauthor A <a@example.com> 1700000000 +0000\n"
           f"committer A <a@example.com> 1700000000 +0000\nencoding ISO-8859-1\n\n").encode()
    raw += f"deploy {token[:12]}\u00ad{token[12:]}\n".encode("latin-1")
    sha = subprocess.run(["git", "-C", str(repo.path), "hash-object", "-t", "commit", "-w", "--stdin"], input=raw,
                         capture_output=True, check=True).stdout.decode().strip()
    repo.git("update-ref", "HEAD", sha)
    return sha


def test_check_blocks_a_token_split_by_a_soft_hyphen_in_a_latin1_message(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.hook_helpers import SECRETS_POLICY
    token = github_token()
    repo = base_repo(tmp_path)
    latin1_commit(repo, token)
    assert f"{token[:12]}\u00ad{token[12:]}" in repo.git("log", "-1", "--format=%B")  # as git shows it
    for fmt, (code, out) in check_all(tmp_path, capsys, repo, SECRETS_POLICY, ("text", "json")).items():
        assert code != 0, (fmt, out)


def test_push_blocks_a_token_split_by_a_soft_hyphen_in_a_latin1_message(tmp_path: Path) -> None:
    from tests.hook_helpers import spush
    token = github_token()
    server, work = secrets_server(tmp_path)
    latin1_commit(work, token)
    result = spush(server, work, "origin", "HEAD:main")
    assert result.code != 0, result.output
