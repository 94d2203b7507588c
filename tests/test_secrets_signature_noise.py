"""A signature's base64 spells a key's shape now and then: on google-gemini/gemini-cli, GitHub's signature on a
squash merge (tests/data/forge/gemini-cli-d012929a-signature-spells-a-key.commit, kept byte for byte) holds a line
starting `LTAI` and 16 letters, an Alibaba AccessKey ID to the rule — and it blocked the push. Such a hit on a
base64 line of a WELL-FORMED signature is kept, low; anything else in the armour is scanned as before (a key
hidden in a signature block, test_adversarial_scan_content.py)."""

from __future__ import annotations

import base64
import re
from pathlib import Path

from gatekeeper.models import Severity
from gatekeeper.scan.secrets_scanner import SecretsScanner, _signature_lines, header_text
from tests.hook_helpers import AWS_KEY, SECRETS_POLICY, seeded, spush
from tests.repo_builder import RepoBuilder
from tests.scan_helpers import job

REAL = (Path(__file__).parent / "data" / "forge" / "gemini-cli-d012929a-signature-spells-a-key.commit").read_bytes()


def _rehome(raw: bytes, tree: str, parent: str, signature: bytes | None = None) -> bytes:
    """The object on this repository's tree and parent (its signature no longer verifies; only its shape counts)."""
    raw = re.sub(rb"^tree [0-9a-f]{40}$", b"tree " + tree.encode(), raw, count=1, flags=re.M)
    raw = re.sub(rb"^parent [0-9a-f]{40}$", b"parent " + parent.encode(), raw, count=1, flags=re.M)
    if signature is not None:
        head, _, message = raw.partition(b"\n\n")
        head = re.sub(rb"gpgsig -----BEGIN.*-----END PGP SIGNATURE-----", signature, head, flags=re.S)
        raw = head + b"\n\n" + message
    return raw


def _scan(repo: RepoBuilder, raw: bytes) -> list[tuple[str, Severity, str]]:
    base = repo.head()
    sha = repo.git("hash-object", "-t", "commit", "-w", "--stdin", "--literally", input=raw).strip()
    found = SecretsScanner().scan(job(repo.path, base, sha)).findings
    return [(f.rule_id, f.severity, f.message) for f in found if f.rule_id.startswith("secrets/")]


def _signature_of(raw: bytes) -> bytes:
    found = re.search(rb"gpgsig -----BEGIN.*-----END PGP SIGNATURE-----", raw, flags=re.S)
    assert found is not None
    return found.group(0)


def test_a_real_signature_that_spells_a_key_is_low(repo: RepoBuilder) -> None:
    repo.commit("base\n", {"a.txt": "a\n"})
    tree, parent = repo.git("rev-parse", "HEAD^{tree}").strip(), repo.head()
    hits = _scan(repo, _rehome(REAL, tree, parent))
    assert [(rule, severity) for rule, severity, _ in hits] == [("secrets/alibaba-access-key-id", Severity.LOW)]
    assert "well-formed signature" in hits[0][2]
    # The lines blanked are the base64 ones and the checksum: not the BEGIN/END lines or the blank line.
    lines = header_text(REAL).split("\n")
    marked = _signature_lines(lines)
    assert lines[min(marked) - 1].strip() == "" and lines[max(marked) + 1].strip() == "-----END PGP SIGNATURE-----"
    assert lines[max(marked)].strip().startswith("=")


def test_the_same_block_altered_or_with_a_key_outside_its_base64_blocks(repo: RepoBuilder) -> None:
    repo.commit("base\n", {"a.txt": "a\n"})
    tree, parent = repo.git("rev-parse", "HEAD^{tree}").strip(), repo.head()
    signature = _signature_of(REAL)
    # One base64 letter changed: the checksum no longer matches, so it is not a well-formed signature.
    broken = signature.replace(b" DE/wtkVMesf5", b" DE/wtkVMesf6")
    assert broken != signature
    assert [(r, s) for r, s, _ in _scan(repo, _rehome(REAL, tree, parent, broken))] == [
        ("secrets/alibaba-access-key-id", Severity.HIGH)]
    # A well-formed signature with an AWS key in an armour header line: that line is text, not base64.
    with_header = signature.replace(b"-----BEGIN PGP SIGNATURE-----\n \n",
                                    b"-----BEGIN PGP SIGNATURE-----\n Comment: " + AWS_KEY.encode() + b"\n \n")
    hits = _scan(repo, _rehome(REAL, tree, parent, with_header))
    assert ("secrets/aws-access-key", Severity.HIGH) in [(r, s) for r, s, _ in hits]


def test_an_ssh_signature_shape_counts_too_and_a_bare_key_block_does_not(repo: RepoBuilder) -> None:
    repo.commit("base\n", {"a.txt": "a\n"})
    tree, parent = repo.git("rev-parse", "HEAD^{tree}").strip(), repo.head()
    first = base64.b64encode(b"SSHSIG\x00\x00\x01").decode()
    assert len(first) % 4 == 0
    ssh = (b"gpgsig -----BEGIN SSH SIGNATURE-----\n " + first.encode() + b"\n " + AWS_KEY.encode()
           + b"\n -----END SSH SIGNATURE-----")
    hits = _scan(repo, _rehome(REAL, tree, parent, ssh))
    assert [(r, s) for r, s, _ in hits if r == "secrets/aws-access-key"] == [("secrets/aws-access-key", Severity.LOW)]
    not_ssh = ssh.replace(first.encode(), base64.b64encode(b"NOTSIG\x00\x00\x01"))
    hits = _scan(repo, _rehome(REAL, tree, parent, not_ssh))
    assert [(r, s) for r, s, _ in hits if r == "secrets/aws-access-key"] == [("secrets/aws-access-key", Severity.HIGH)]


def test_through_the_hook_the_spelled_key_is_a_warning(tmp_path: Path) -> None:
    """Through the installed hook under a policy that blocks at high: the hit is a warning, not a blocking finding.
    (Moved onto this repository's tree the object no longer matches GitHub's signature, and THAT blocks: the
    signature is judged as what it is, whatever its base64 spells.)"""
    server, work = seeded(tmp_path, SECRETS_POLICY)
    tree, parent = work.git("rev-parse", "HEAD^{tree}").strip(), work.head()
    sha = work.git("hash-object", "-t", "commit", "-w", "--stdin", "--literally",
                   input=_rehome(REAL, tree, parent)).strip()
    result = spush(server, work, "origin", f"{sha}:refs/heads/topic")
    assert "1 blocking finding(s)" in result.output, result.output
    assert "provenance/bad-signature" in result.output
    assert "warning: secrets/alibaba-access-key-id" in result.output


def test_a_well_formed_block_in_another_header_is_scanned_as_text(repo: RepoBuilder) -> None:
    """Only the commit's own signature (the `gpgsig` header the gate verifies) is read as a signature: the same
    block under another header name, which nothing verifies, keeps its hit high (red88)."""
    repo.commit("base\n", {"a.txt": "a\n"})
    tree, parent = repo.git("rev-parse", "HEAD^{tree}").strip(), repo.head()
    elsewhere = _signature_of(REAL).replace(b"gpgsig -----BEGIN", b"x-signature -----BEGIN", 1)
    hits = _scan(repo, _rehome(REAL, tree, parent, elsewhere))
    assert [(r, s) for r, s, _ in hits] == [("secrets/alibaba-access-key-id", Severity.HIGH)]
