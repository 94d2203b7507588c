"""A signature's base64 spells a key's shape now and then: on google-gemini/gemini-cli, GitHub's signature on a
squash merge (tests/data/forge/gemini-cli-d012929a-signature-spells-a-key.commit, kept byte for byte) holds a line
starting `LTAI` and 16 letters, an Alibaba AccessKey ID to the rule — and it blocked the push. Such a hit on a
base64 line of the commit's own signature is kept, low, when that signature is a GOOD one by a forge key the gate
ships (bytes nobody chose); anything else in an armour is scanned as before (a key hidden in a signature block,
test_adversarial_scan_content.py; a made-up well-formed packet around a key, a real push below)."""

from __future__ import annotations

import base64
import re
from pathlib import Path

from gatekeeper.git import Git
from gatekeeper.interfaces import ScanJob
from gatekeeper.models import Severity
from gatekeeper.provenance.openpgp import _crc24
from gatekeeper.scan.common import built_in_detector
from gatekeeper.scan.secrets_scanner import SecretsScanner, _forge_signature_lines, header_text
from tests.hook_helpers import AWS_KEY, SECRETS_POLICY, seeded, spush
from tests.repo_builder import RepoBuilder

REAL = (Path(__file__).parent / "data" / "forge" / "gemini-cli-d012929a-signature-spells-a-key.commit").read_bytes()


def _rehome(raw: bytes, tree: str, parent: str, signature: bytes | None = None) -> bytes:
    """The object on this repository's tree and parent (its signature no longer verifies; only its shape counts)."""
    raw = re.sub(rb"^tree [0-9a-f]{40}$", b"tree " + tree.encode(), raw, count=1, flags=re.M)
    raw = re.sub(rb"^parent [0-9a-f]{40}$", b"parent " + parent.encode(), raw, count=1, flags=re.M)
    return _resigned(raw, signature) if signature is not None else raw


def _resigned(raw: bytes, signature: bytes) -> bytes:
    head, _, message = raw.partition(b"\n\n")
    head = re.sub(rb"gpgsig -----BEGIN.*-----END PGP SIGNATURE-----", signature, head, flags=re.S)
    return head + b"\n\n" + message


def _scan(repo: RepoBuilder, raw: bytes) -> list[tuple[str, Severity, str]]:
    """The secrets scanner's reading of one commit object's header and message, as stored: GitHub's own object
    (whose tree and parent are not here, so the file part of the scan has nothing to diff)."""
    sha = repo.git("hash-object", "-t", "commit", "-w", "--stdin", "--literally", input=raw).strip()
    git = Git(repo.path)
    commits = list(git.iter_log([sha], no_walk=True))
    found = SecretsScanner()._message_findings(built_in_detector(),
                                               ScanJob(git=git, commits=commits, changes={}, head=sha))
    return [(f.rule_id, f.severity, f.message) for f in found if f.rule_id.startswith("secrets/")]


def _signature_of(raw: bytes) -> bytes:
    found = re.search(rb"gpgsig -----BEGIN.*-----END PGP SIGNATURE-----", raw, flags=re.S)
    assert found is not None
    return found.group(0)


def _made_up_packet_around(key: str) -> bytes:
    """A `gpgsig` block that is well-formed OpenPGP armour (strict base64, matching CRC-24, an old-format packet
    of tag 2) whose second base64 line is `key` — made up, signed by nobody."""
    data = base64.b64decode(base64.b64encode(b"\x88\x00\x00").decode() + key + "AAAA")
    text = base64.b64encode(data).decode()
    crc = base64.b64encode(_crc24(data).to_bytes(3, "big")).decode()
    assert text[4:24] == key
    lines = [text[:4], text[4:24], text[24:], f"={crc}"]
    return ("gpgsig -----BEGIN PGP SIGNATURE-----\n \n" + "".join(f" {line}\n" for line in lines)
            + " -----END PGP SIGNATURE-----").encode()


def test_a_real_signature_that_spells_a_key_is_low(repo: RepoBuilder) -> None:
    repo.commit("base\n", {"a.txt": "a\n"})
    hits = _scan(repo, REAL)
    assert [(rule, severity) for rule, severity, _ in hits] == [("secrets/alibaba-access-key-id", Severity.LOW)]
    assert "verified forge signature" in hits[0][2]
    # The lines marked are the base64 ones and the checksum: not the BEGIN/END lines or the blank line.
    lines = header_text(REAL).split("\n")
    marked = _forge_signature_lines(REAL)
    assert lines[min(marked) - 1].strip() == "" and lines[max(marked) + 1].strip() == "-----END PGP SIGNATURE-----"
    assert lines[max(marked)].strip().startswith("=")


def test_the_same_block_altered_or_with_a_key_outside_its_base64_blocks(repo: RepoBuilder) -> None:
    repo.commit("base\n", {"a.txt": "a\n"})
    signature = _signature_of(REAL)
    # One base64 letter changed: the checksum no longer matches, so it is not GitHub's signature any more.
    broken = signature.replace(b" DE/wtkVMesf5", b" DE/wtkVMesf6")
    assert broken != signature
    assert [(r, s) for r, s, _ in _scan(repo, _resigned(REAL, broken))] == [
        ("secrets/alibaba-access-key-id", Severity.HIGH)]
    # GitHub's signature still verifies with an armour header added, but that line is text, not base64.
    with_header = signature.replace(b"-----BEGIN PGP SIGNATURE-----\n \n",
                                    b"-----BEGIN PGP SIGNATURE-----\n Comment: " + AWS_KEY.encode() + b"\n \n")
    hits = _scan(repo, _resigned(REAL, with_header))
    assert ("secrets/aws-access-key", Severity.HIGH) in [(r, s) for r, s, _ in hits]
    # Moved onto another tree, the object no longer matches GitHub's signature: its spelled key counts again.
    tree, parent = repo.git("rev-parse", "HEAD^{tree}").strip(), repo.head()
    assert [(r, s) for r, s, _ in _scan(repo, _rehome(REAL, tree, parent))] == [
        ("secrets/alibaba-access-key-id", Severity.HIGH)]


def test_a_signature_nobody_verified_is_text(repo: RepoBuilder) -> None:
    """Review of the session's change: a shape check (well-formed armour, packet tag 2, or SSHSIG) let a key sit
    on its own line of a made-up block at low severity, and nothing else blocked it (a signature by a key the
    gate does not know is only `untrusted`). Only a GOOD forge signature counts now."""
    repo.commit("base\n", {"a.txt": "a\n"})
    tree, parent = repo.git("rev-parse", "HEAD^{tree}").strip(), repo.head()
    hits = _scan(repo, _rehome(REAL, tree, parent, _made_up_packet_around(AWS_KEY)))
    assert [(r, s) for r, s, _ in hits if r == "secrets/aws-access-key"] == [("secrets/aws-access-key", Severity.HIGH)]
    first = base64.b64encode(b"SSHSIG\x00\x00\x01").decode()
    ssh = (b"gpgsig -----BEGIN SSH SIGNATURE-----\n " + first.encode() + b"\n " + AWS_KEY.encode()
           + b"\n -----END SSH SIGNATURE-----")
    hits = _scan(repo, _rehome(REAL, tree, parent, ssh))
    assert [(r, s) for r, s, _ in hits if r == "secrets/aws-access-key"] == [("secrets/aws-access-key", Severity.HIGH)]


def test_through_the_hook_a_key_in_a_signature_nobody_verified_blocks(tmp_path: Path) -> None:
    """Real pushes: GitHub's object moved onto this repository's tree (its signature no longer verifies: bad
    signature, and the spelled key counts), and a made-up well-formed block around a key."""
    server, work = seeded(tmp_path, SECRETS_POLICY)
    tree, parent = work.git("rev-parse", "HEAD^{tree}").strip(), work.head()
    moved = work.git("hash-object", "-t", "commit", "-w", "--stdin", "--literally",
                     input=_rehome(REAL, tree, parent)).strip()
    result = spush(server, work, "origin", f"{moved}:refs/heads/topic")
    assert result.code != 0, result.output
    assert "provenance/bad-signature" in result.output
    assert "secrets/alibaba-access-key-id" in result.output and "warning: secrets/alibaba" not in result.output
    made_up = work.git("hash-object", "-t", "commit", "-w", "--stdin", "--literally",
                       input=_rehome(REAL, tree, parent, _made_up_packet_around(AWS_KEY))).strip()
    result = spush(server, work, "origin", f"{made_up}:refs/heads/main")
    assert result.code != 0, result.output
    assert "secrets/aws-access-key" in result.output and "warning: secrets/aws" not in result.output


def test_a_well_formed_block_in_another_header_is_scanned_as_text(repo: RepoBuilder) -> None:
    """Only the commit's own signature (the `gpgsig` header the gate verifies) is read as a signature: the same
    block under another header name keeps its hit high (red88)."""
    repo.commit("base\n", {"a.txt": "a\n"})
    elsewhere = _signature_of(REAL).replace(b"gpgsig -----BEGIN", b"x-signature -----BEGIN", 1)
    hits = _scan(repo, _resigned(REAL, elsewhere))
    assert [(r, s) for r, s, _ in hits] == [("secrets/alibaba-access-key-id", Severity.HIGH)]
