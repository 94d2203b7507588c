"""A private key written one line of code per line of its body (secrets_scanner._written_block): a CI step's
`echo "…" >> ~/.ssh/id_ed25519`, `printf` lines, a seed file's `'…' ||`, an XML element per line. The detector reads a
header followed by more than a closing string and a join as code about keys (rules/secrets.yml, `private-key`), so
such a key was never reported, even with its header added (left by red141). The body between the header and the END
line is read as a key when its pieces decode to one whole key's encoding (every real key: these tests make real ones
with `cryptography`) or stand as a column of equal lines; code about keys between two such lines holds neither (the
controls). Headers are assembled at run time, no key material is written in this file."""

from __future__ import annotations

from pathlib import Path

import pytest

from gatekeeper.config import parse_policy
from gatekeeper.git import Git
from gatekeeper.interfaces import ScanJob
from gatekeeper.scan.secrets_scanner import SecretsScanner
from tests.hook_helpers import DANA, SECRETS_POLICY, seeded, spush
from tests.repo_builder import RepoBuilder
from tests.secrets_helpers import blocking_findings, scan_commit
from tests.test_red141_pasted_keys import _header, _real_key

KINDS = ["ec-sec1", "ed25519-pkcs8", "ed25519-openssh"]


def _rewrapped(body: list[str], widths: tuple[int, ...]) -> list[str]:
    """The body's material cut again at the given widths in turn (PEM and OpenSSH readers take any width)."""
    material = "".join(body)
    out: list[str] = []
    at, turn = 0, 0
    while at < len(material):
        width = widths[turn % len(widths)]
        out.append(material[at : at + width])
        at, turn = at + width, turn + 1
    return out


def _blocks(found: list[tuple[str, str, object, str]], path: str) -> bool:
    return (path, "secrets/private-key") in blocking_findings(found)


@pytest.mark.parametrize("kind", KINDS)
def test_a_real_key_echoed_line_by_line_in_a_ci_step_blocks(based: RepoBuilder, kind: str) -> None:
    """A workflow's step writes the deploy key with `echo` lines of uneven width (no column): its pieces are one
    whole key's encoding."""
    head, body, foot = _real_key(kind)
    lines = [f'          echo "{piece}" >> ~/.ssh/id_deploy' for piece in _rewrapped(body, (61, 29, 47))]
    text = "\n".join(["jobs:", "  deploy:", "    runs-on: ubuntu-latest", "    steps:", "      - run: |",
                      "          mkdir -p ~/.ssh", f'          echo "{head}" > ~/.ssh/id_deploy', *lines,
                      f'          echo "{foot}" >> ~/.ssh/id_deploy', "          chmod 600 ~/.ssh/id_deploy", ""])
    path = ".github/workflows/deploy.yml"
    assert _blocks(scan_commit(based, {path: text}), path)


@pytest.mark.parametrize("kind", KINDS)
def test_a_real_key_in_printf_lines_whose_last_piece_is_short_blocks(based: RepoBuilder, kind: str) -> None:
    """`printf '%s\\n' '…'` lines; the last piece may be shorter than the code's own words (read between the code all
    the lines share)."""
    head, body, foot = _real_key(kind)
    pieces = _rewrapped(body, (64,))
    if len(pieces[-1]) > 6:  # a last line of a few characters, as short as `printf`
        pieces = [*pieces[:-1], pieces[-1][:-4], pieces[-1][-4:]]
    text = "\n".join([f"printf '%s\\n' '{head}' > key", *(f"printf '%s\\n' '{p}' >> key" for p in pieces),
                      f"printf '%s\\n' '{foot}' >> key", ""])
    assert _blocks(scan_commit(based, {"scripts/install.sh": text}), "scripts/install.sh")


def test_the_finding_says_how_the_key_was_written_and_holds_no_material(based: RepoBuilder) -> None:
    head, body, foot = _real_key("ed25519-openssh")
    text = "\n".join([f"<k>{head}</k>", *(f"<k>{p}</k>" for p in body), f"<k>{foot}</k>", ""])
    base = based.head()
    based.commit("add the key\n", {"conf/key.xml": text})

    git = Git(based.path)
    sha = based.head()
    result = SecretsScanner(settings=parse_policy("version: 1\n").secrets).scan(
        ScanJob(git=git, commits=git.commits([sha], [base]), changes=git.changed_files([sha]), head=sha))
    keys = [f for f in result.findings if f.rule_id == "secrets/private-key"]
    assert len(keys) == 1, result.findings
    assert "written line by line in code (lines 1 to " in keys[0].message
    assert not any(piece in keys[0].message for piece in body if len(piece) > 12)


def test_a_push_of_a_deploy_script_writing_a_key_is_refused(tmp_path: Path) -> None:
    """The real hook: a push of a script that writes a key with `echo` lines is refused, and the refusal shows no
    material."""
    server, work = seeded(tmp_path, SECRETS_POLICY)
    head, body, foot = _real_key("ec-sec1")
    text = "\n".join(["#!/bin/sh", f'echo "{head}" > /etc/app/key.pem', *(f'echo "{p}" >> /etc/app/key.pem' for p in body),
                      f'echo "{foot}" >> /etc/app/key.pem', ""])
    work.commit("deploy: install the key\n", {"deploy/install.sh": text}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    assert result.code != 0 and "secrets/private-key" in result.output, result.output
    assert not any(piece in result.output for piece in body if len(piece) > 12)


# -- controls: code about keys -----------------------------------------------------------------------------------------

def test_code_that_reads_a_key_between_its_header_and_end_lines_is_no_key(based: RepoBuilder) -> None:
    h, f = _header(), _header(end=True)
    text = "\n".join([
        "def kind_of(text):",
        f'    if text.startswith("{h}"):',
        '        body = "".join(text.strip().split("\\n")[1:-1])',
        "        data = base64.b64decode(body)",
        "        return parse_pkcs1_structure(data)",
        f'    if text.rstrip().endswith("{f}"):',
        "        return None", ""])
    assert blocking_findings(scan_commit(based, {"app/keys.py": text})) == []


def test_a_script_that_writes_a_key_from_variables_is_no_key(based: RepoBuilder) -> None:
    h, f = _header(), _header(end=True)
    text = "\n".join([f'echo "{h}" > k', 'echo "$DEPLOY_KEY_BODY_FIRST_PART_FROM_THE_VAULT" >> k',
                      'echo "${DEPLOY_KEY_BODY_SECOND_PART:?set it}" >> k', f'echo "{f}" >> k', ""])
    assert blocking_findings(scan_commit(based, {"ops/key.sh": text})) == []


def test_a_documented_excerpt_written_line_by_line_is_no_key(based: RepoBuilder) -> None:
    """An elided body (`MIIEpAIBAAKCAQEA...`) and placeholders: neither a whole key nor a column of material."""
    h, f = _header(), _header(end=True)
    text = "\n".join(["```sh", f'echo "{h}" > key', 'echo "MIIEpAIBAAKCAQEAx4..." >> key',
                      'echo "<the rest of your key, line by line>" >> key', f'echo "{f}" >> key', "```", ""])
    assert blocking_findings(scan_commit(based, {"docs/deploy.md": text, "ops/key.sh": text.replace("```", "#")})) == []


def test_an_end_line_of_another_kind_does_not_hide_the_key(based: RepoBuilder) -> None:
    """A reader refuses a BEGIN and END line of different kinds, but the material is in history all the same."""
    head, body, _ = _real_key("ec-sec1")
    foot = _header("", end=True)
    text = "\n".join([f"echo '{head}' > k", *(f"echo '{p}' >> k" for p in body), f"echo '{foot}' >> k", ""])
    assert _blocks(scan_commit(based, {"ops/k.sh": text}), "ops/k.sh")
