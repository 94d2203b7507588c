"""Red team red18: ways a credential still comes out of the gate after red16/red17's fixes (1b01068, 524cc14).

Each test commits real objects to a real repository and runs the real CLI (`gatekeeper check` / `gatekeeper
audit`), or pushes with a real `git push` into a bare repository with the hook installed, and looks for the
token in what gatekeeper prints. Tokens are built at run time from a seeded generator: this file holds no
token-shaped literal.
"""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from tests.hook_helpers import SECRETS_POLICY, spush
from tests.leak_helpers import B62, audit_all, base_repo, check_all, leaked, secrets_server, token_maker

github_token = token_maker(1818)



# -- red18-1: redact_shown returns the VISIBLE form whenever that form has a secret replaced; an escape sequence
# whose final byte is the token's first character ("\x1b[" + "ghp_...": CSI ... 'g') removes that character
# there, so the raw-form token (found by the raw scan, known to the Replacer) is no longer whole in the visible
# form and is returned unredacted minus its first letter. A second copy (or any other secret) in the same text
# makes the visible form "changed". Before 1b01068 replace(raw) redacted both copies.

def test_check_never_prints_a_token_whose_first_letter_an_escape_sequence_eats(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    token = github_token()
    repo = base_repo(tmp_path)
    repo.commit(f"deploy \x1b[{token} and again {token}\n", allow_empty=True)
    for fmt, (code, out) in check_all(tmp_path, capsys, repo).items():
        assert code != 0, (fmt, out)  # the token is found and blocks
        assert not leaked(token, out), (fmt, out)


def test_push_never_echoes_a_token_whose_first_letter_an_escape_sequence_eats(tmp_path: Path) -> None:
    token = github_token()
    server, work = secrets_server(tmp_path)
    work.commit(f"deploy \x1b[{token} and again {token}\n", allow_empty=True)
    result = spush(server, work, "origin", "main")
    assert result.code != 0, result.output
    assert not leaked(token, result.output), result.output
    verdict = server.last_verdict()
    assert not leaked(token, str(verdict)), verdict


# -- red18-2: checks/ai.py builds the ai/assisted-by-missing finding's `fix` from the agent's model, which
# agents._model_from_name reads from the agent identity's display name (cut to 100 without a mark) and lower-cases
# with its spaces turned to '-'. A finding's `fix` is never redacted (engine._redact_names / _redact_paths touch
# path and message only), and the lower-cased token no Replacer value matches anyway.

AI_POLICY = SECRETS_POLICY + "ai: {require_assisted_by: true}\n"


@pytest.mark.parametrize("alphabet", [string.ascii_lowercase + string.digits, B62], ids=["lowercase-token", "mixed-case"])
def test_check_never_prints_a_token_from_an_agent_name_in_a_fix(alphabet: str, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    token = github_token(alphabet)
    repo = base_repo(tmp_path)
    repo.commit("agent change\n", {"a.txt": "x\n"}, author=(f"Claude {token}", "noreply@anthropic.com"))
    for fmt, (code, out) in check_all(tmp_path, capsys, repo, AI_POLICY).items():
        assert code != 0, (fmt, out)
        assert not leaked(token.lower(), out.lower()), (fmt, out)


# -- red18-3: the audit keeps, for a clipped device id, the message from the FIRST place the clipped value's start
# occurs (history._source_of: message.find(start), then 4096 characters). The same start written earlier in the
# body, more than 4096 characters before the trailer, moves that window away from the token: the rules find
# nothing in it, the clipped id (99 characters, "ghp_" and 18 of the body among them) is printed as is. (Without the earlier copy the same commit's id is redacted today.)

def test_audit_never_prints_a_clipped_device_id_token_behind_a_decoy_start(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    token = github_token()
    value = "device " + "x" * 69 + " " + token  # the 100-character clip cuts the token after ~22 of its characters
    start = value[:99]
    repo = base_repo(tmp_path)
    repo.commit(f"change\n\nsee {start}! for details\n" + ("filler line\n" * 500) + f"\nOrigin-Device-Id: {value}\n",
                allow_empty=True)
    for fmt, (code, out) in audit_all(capsys, repo).items():
        assert code == 0, (fmt, out)
        assert token[:22] not in out, (fmt, out)  # "ghp_" and the 18 characters of the body the clip keeps



# -- red18-4: sanitize.visible() (and safe()) know only part of the characters a reader never sees: default-
# ignorable format characters such as the soft hyphen U+00AD, the combining grapheme joiner U+034F, variation
# selectors U+FE0F / U+E0100, the Mongolian vowel separator U+180E, the deprecated format controls U+206A-206F
# and the musical formatting controls U+1D173-1D17A are kept, and render as nothing in a browser (the HTML
# report, a GitHub annotation) and in most terminals. A token split by one is found in neither form: the push
# is not blocked and every report shows it joined (the red16 class, 1b01068 covered the zero-width/bidi subset).

@pytest.mark.parametrize("mark", ["\u00ad", "\u034f", "\ufe0f", "\U000e0100", "\u180e", "\u206a", "\U0001d173"],
                         ids=["soft-hyphen", "grapheme-joiner", "vs16", "vs17", "mongolian-vs", "iss", "music-begin"])
def test_a_token_split_by_an_invisible_format_character_is_found_and_blocked(
        mark: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    token = github_token()
    repo = base_repo(tmp_path)
    repo.commit(f"deploy {token[:20]}{mark}{token[20:]}\n", allow_empty=True)
    for fmt, (code, out) in check_all(tmp_path, capsys, repo, formats=("text", "json")).items():
        assert code != 0, (fmt, out)  # blocked, as the same token split by U+200B is


# -- red18-5: git/notes.py notes_index quotes a bad notes tree entry cut to 120 characters WITHOUT a mark
# (`path.decode(...)[:120]`) inside a sentence ("its tree holds '<path>', which is not named by an object id"),
# which becomes the policy/bad-notes-ref finding's message. A token straddling the cut is then followed by
# "', which ...": the Replacer's clipped-copy rule (a `…` or the text's end) does not apply, and the whole token
# is nowhere else in what the redaction reads, so ~19 characters of its body reach the pusher and the logs.

def test_push_never_echoes_a_token_cut_from_a_bad_notes_tree_path(tmp_path: Path) -> None:
    token = github_token()
    server, work = secrets_server(tmp_path)
    blob = work.git("hash-object", "-w", "--stdin", input="note\n").strip()
    path = "x" * 96 + " " + token  # 137 characters: the 120-character cut keeps "ghp_" and 19 of the body
    tree = work.git("mktree", input=f"100644 blob {blob}\t{path}\n").strip()
    notes = work.git("commit-tree", tree, "-m", "notes").strip()
    work.git("update-ref", "refs/notes/origin", notes)
    result = spush(server, work, "origin", "refs/notes/origin")
    assert result.code != 0, result.output
    assert "refs/notes/origin" in result.output, result.output
    assert not leaked(token, result.output), result.output
    assert not leaked(token, server.audit_log.read_text()), "the audit log keeps it"
