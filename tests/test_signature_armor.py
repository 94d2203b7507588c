"""SSH signature armor variants, judged by gatekeeper and by git + ssh-keygen on the same commit objects.

A real commit is signed by git with a real ssh-keygen key; its armor is then rewritten the ways real
clients and hostile pushers write it (a trailing blank line, re-wrapped or joined base64, CRLF, text
after the END line, broken padding) and stored as a new commit object. For every variant gatekeeper's
status must be the one git reports with the same allowed-signers file: `G` is good, anything git
refuses is not good. ssh-keygen's rules (sshsig_dearmor + b64_pton) are the reference, not ours.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gatekeeper.models import SignatureStatus
from gatekeeper.provenance import load_allowed_signers, split_signature, verify_commit
from tests.provenance_helpers import Key, keygen

S = SignatureStatus
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
BEGIN = b"-----BEGIN SSH SIGNATURE-----"
END = b"-----END SSH SIGNATURE-----"


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> Key:
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen is not installed")
    return keygen(tmp_path_factory.mktemp("keys"), "alice", "-t", "ed25519")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.startswith(("GIT_", "GITHUB_")) or name in ("GNUPGHOME", "SSH_AUTH_SOCK"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Alice")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "alice@example.com")
        monkeypatch.setenv(f"GIT_{role}_DATE", "2026-05-01T12:00:00Z")
    path = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    return path


def git(repo: Path, *args: str, input: bytes | None = None, check: bool = True) -> bytes:
    return subprocess.run(["git", *args], cwd=repo, input=input, capture_output=True, check=check).stdout


def signed(repo: Path, key: Key) -> tuple[bytes, bytes]:
    """(raw commit object, its armor) of a commit git signed with `key`."""
    git(repo, "-c", "gpg.format=ssh", "-c", f"user.signingkey={key.private}", "commit", "-q", "--allow-empty",
        "-m", "signed on the phone", "-S")
    raw = git(repo, "cat-file", "commit", "HEAD")
    signature, _payload, _ = split_signature(raw)
    assert signature is not None
    return raw, signature


def with_armor(raw: bytes, armor: bytes) -> bytes:
    """`raw` with its gpgsig header replaced by `armor` exactly, every line after the first indented."""
    _sig, payload, _ = split_signature(raw)
    head, _, body = payload.partition(b"\n\n")
    text = armor[:-1] if armor.endswith(b"\n") else armor
    return head + b"\ngpgsig " + text.replace(b"\n", b"\n ") + b"\n\n" + body


def _parts(armor: bytes) -> tuple[list[bytes], bytes]:
    lines = armor.rstrip(b"\n").split(b"\n")
    assert lines[0] == BEGIN and lines[-1] == END
    return lines[1:-1], b"".join(lines[1:-1])


def _rewrap(width: int) -> Callable[[bytes], bytes]:
    def change(armor: bytes) -> bytes:
        _lines, body = _parts(armor)
        return b"\n".join([BEGIN, *(body[i : i + width] for i in range(0, len(body), width)), END]) + b"\n"
    return change


def _body(edit: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    def change(armor: bytes) -> bytes:
        _lines, body = _parts(armor)
        return BEGIN + b"\n" + edit(body) + b"\n" + END + b"\n"
    return change


def _flip_trailing_bits(body: bytes) -> bytes:
    data = body.rstrip(b"=")
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = alphabet.index(data[-1:])
    return data[:-1] + alphabet[last ^ 1 : (last ^ 1) + 1] + body[len(data) :]


VARIANTS: dict[str, Callable[[bytes], bytes]] = {
    "as-signed": lambda a: a,
    "trailing-blank-line": lambda a: a + b"\n",
    "two-trailing-blank-lines": lambda a: a + b"\n\n",
    "text-after-end": lambda a: a + b"Signed-off-by: nobody\n",
    "text-on-the-end-line": lambda a: a.rstrip(b"\n") + b"xyz\n",
    "second-end-line": lambda a: a + END + b"\n",
    "rewrapped-64": _rewrap(64),
    "rewrapped-76": _rewrap(76),
    "joined-body": _rewrap(10_000),
    "blank-line-in-body": lambda a: a.replace(b"\n", b"\n\n", 2).replace(BEGIN + b"\n\n", BEGIN + b"\n", 1),
    "spaces-and-tabs-in-body": _body(lambda b: b[:8] + b" \t" + b[8:]),
    "crlf-lines": lambda a: a.replace(b"\n", b"\r\n"),
    "cr-in-body-only": _body(lambda b: b[:20] + b"\r" + b[20:]),
    "space-after-begin": lambda a: a.replace(BEGIN + b"\n", BEGIN + b" \n", 1),
    "indented-end": lambda a: a.replace(b"\n" + END, b"\n " + END),
    "lowercase-end": lambda a: a.replace(END, END.lower()),
    "no-end-line": lambda a: a.replace(END + b"\n", b""),
    "missing-padding": _body(lambda b: b.rstrip(b"=")),
    "surplus-padding": _body(lambda b: b + b"="),
    "non-zero-trailing-bits": _body(_flip_trailing_bits),
    "stray-character": _body(lambda b: b[:5] + b"!" + b[5:]),
    "truncated-body": _body(lambda b: b[: (len(b) // 2) // 4 * 4]),
}

# What git + ssh-keygen (OpenSSH 9.x) accept; pinned so a variant cannot silently stop testing anything.
ACCEPTED = {"as-signed", "trailing-blank-line", "two-trailing-blank-lines", "text-after-end", "text-on-the-end-line",
            "second-end-line", "rewrapped-64", "rewrapped-76", "joined-body", "blank-line-in-body",
            "spaces-and-tabs-in-body", "cr-in-body-only"}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_armor_variant_agrees_with_git(repo: Path, tmp_path: Path, key: Key, variant: str) -> None:
    raw, armor = signed(repo, key)
    changed = VARIANTS[variant](armor)
    sha = git(repo, "hash-object", "-t", "commit", "-w", "--literally", "--stdin",
              input=with_armor(raw, changed)).decode().strip()
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f'alice@example.com namespaces="git" {key.line}\n')

    # git feeds the payload to ssh-keygen, which may exit before reading it when the armor is broken:
    # git then dies of SIGPIPE without a letter. That, too, is "not good".
    letter = git(repo, "-c", f"gpg.ssh.allowedSignersFile={allowed}", "log", "-1", "--format=%G?", sha,
                 check=False).decode().strip()
    info = verify_commit(git(repo, "cat-file", "commit", sha), signers=load_allowed_signers(allowed).signers, now=NOW)

    assert letter in ("G", "B", "E", ""), letter
    assert (letter == "G") == (variant in ACCEPTED), (variant, letter)
    assert (info.status is S.GOOD) == (letter == "G"), (variant, letter, info)
    if letter != "G":
        assert info.status is S.BAD, info  # a signature git cannot parse is never an error that slips by


def test_body_is_decoded_like_b64_pton(repo: Path, key: Key) -> None:
    """The decoder takes exactly the blob git signed, whatever the wrapping (a sanity check of the variants)."""
    _raw, armor = signed(repo, key)
    _lines, body = _parts(armor)
    blob = base64.b64decode(body)
    from gatekeeper.provenance.signatures import _dearmor

    for variant in ("as-signed", "trailing-blank-line", "joined-body", "rewrapped-64", "spaces-and-tabs-in-body"):
        assert _dearmor(VARIANTS[variant](armor)) == blob


def _crc24_reference(data: bytes) -> int:
    """RFC 4880 section 6.1's own bit-by-bit loop."""
    crc = 0xB704CE
    for byte in data:
        crc ^= byte << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return crc & 0xFFFFFF


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=700))
def test_the_armor_checksum_is_rfc_4880s(data: bytes) -> None:
    """The three-bytes-a-step CRC-24 gives the RFC's own answer for every length (whole steps and the one or
    two bytes left over)."""
    from gatekeeper.provenance.openpgp import _crc24

    assert _crc24(data) == _crc24_reference(data)
