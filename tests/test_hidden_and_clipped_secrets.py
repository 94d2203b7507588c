"""Two ways a secret hid from the detector (red16). The audit keeps where each clipped device id was read from,
once per value, and past its cap withholds a clipped value it can no longer check instead of printing the start of
a token (the earlier 64 KiB cut of the message lost the trailers of long messages). And a token split by a hidden
character (zero-width, bidi, an escape sequence, a carriage return), which every renderer shows joined, is read in
its visible form too: found, blocked, and redacted."""

from __future__ import annotations

import json
import random
import string
from pathlib import Path

import pytest

from gatekeeper.audit import history
from gatekeeper.audit.history import _source_of
from gatekeeper.cli import run
from gatekeeper.models import Commit, Person
from gatekeeper.trailers import parse_trailers
from tests.repo_builder import RepoBuilder

_rng = random.Random(7117)


def token() -> str:
    return "ghp_" + "".join(_rng.choice(string.ascii_letters + string.digits) for _ in range(36))


def test_the_source_is_the_whole_trailer_value_or_the_lines_and_the_two_ends() -> None:
    message = "Deploy\n\nmy phone gh decoy\n" + "filler line\n" * 20_000 + "\nOrigin-Device-Id: my phone ghp_abc\n"
    commit = Commit("a" * 40, (), Person("A", "a@x"), Person("A", "a@x"), 0, 0, message, parse_trailers(message))
    assert _source_of(commit, "my phone gh") == "my phone ghp_abc"  # the trailer, whole; not the decoy
    lines = _source_of(commit, "filler li")
    assert lines.startswith("filler line\nfiller line\n") and lines.count("filler line") >= 20_000
    ends = _source_of(commit, "Deplo")  # in a line, in no value: that line, and the message's two ends
    assert ends.startswith("Deploy\nDeploy") and ends.endswith("ghp_abc\n") and len(ends) < len(message)
    assert _source_of(commit, "not in the message") == ""  # nothing holds it: the report withholds the value
    noted = _source_of(commit, "phone-ghp", "Origin-Device: mobile\nOrigin-Device-Id: phone-ghp_xyz\n")
    assert noted == "phone-ghp_xyz"  # read from the commit's origin note (red20)


def test_past_the_cap_a_clipped_value_that_cannot_be_checked_is_withheld(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(history, "SOURCES_CAP", 1)
    secrets = [token(), token()]
    repo = RepoBuilder.init(tmp_path / "r")
    repo.commit("init\n", {"a.txt": "a\n"})
    for i, secret in enumerate(secrets):
        repo.commit(f"Deploy {i}\n\nOrigin-Device: mobile\nOrigin-Device-Id: {'my phone ' * 8}{secret}\n",
                    {f"b{i}.txt": "b\n"})
    assert run(["audit", "--repo", str(repo.path), "--format", "json"]) == 0
    summary = json.loads(capsys.readouterr().out)["summary"]
    shown = json.dumps(summary)
    for secret in secrets:
        assert secret[4:20] not in shown, "the start of a token is shown"
    assert "(withheld: clipped, and where it was read from was not kept)" in shown


# -- a secret split by a hidden character is a secret: found, blocked, and never printed joined ------------------

@pytest.mark.parametrize("mark", ["\u200b", "\u2060", "\u202e", "\x1b[0m", "\r"],
                         ids=["zwsp", "word-joiner", "bidi", "escape", "carriage-return"])
def test_a_token_split_by_a_hidden_character_is_found_and_blocked(
        mark: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secret = token()
    repo = RepoBuilder.init(tmp_path / "r")
    repo.commit("init\n", {"a.txt": "a\n"})
    repo.commit(f"Deploy\n\nthe key is {secret[:20]}{mark}{secret[20:]} for now\n", {"b.txt": "b\n"})
    policy = tmp_path / "policy.yml"
    policy.write_text("version: 1\nrules:\n  default:\n    scanners: [secrets]\n")
    code = run(["check", "--repo", str(repo.path), "--base", "HEAD~1", "--policy", str(policy), "--format", "json"])
    out = capsys.readouterr().out
    assert code == 1, out
    verdict = json.loads(out)
    assert any(f["rule_id"].startswith("secrets/") and "commit message" in f["message"] for f in verdict["findings"])
    assert secret[4:20] not in out and secret[20:] not in out


def test_a_file_name_split_by_a_hidden_character_is_found(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    secret = token()
    repo = RepoBuilder.init(tmp_path / "r")
    repo.commit("init\n", {"a.txt": "a\n"})
    repo.commit("add\n", {f"keys/{secret[:20]}\u200b{secret[20:]}.txt": "x\n"})
    policy = tmp_path / "policy.yml"
    policy.write_text("version: 1\nrules:\n  default:\n    scanners: [secrets]\n")
    code = run(["check", "--repo", str(repo.path), "--base", "HEAD~1", "--policy", str(policy), "--format", "text"])
    out = capsys.readouterr().out
    assert code == 1, out
    assert secret not in out and secret[4:20] not in out
