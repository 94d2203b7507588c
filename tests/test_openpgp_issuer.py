"""The issuer of an OpenPGP signature gatekeeper cannot verify itself is named whatever the key's algorithm.

sig150 measured gatekeeper against git's %G?/%GK on real histories: every commit signed with an Ed25519 (EdDSA)
OpenPGP key (643 on the ten histories measured, 1,141 on the 60 surveyed) read "OpenPGP signature by key
(unnamed)" with no key, where git names the issuer. The verdict was right (untrusted: no keyring), the key was
lost. The key check sig150 then added to tests/test_signature_real.py found the same on 16 commits of runc, signed
with version 3 packets (PGP 2.x's layout). Keys here are made by gpg (or, for v3, `cryptography`) at test time.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gatekeeper.models import SignatureStatus
from gatekeeper.provenance import openpgp_verifier, split_signature, verify_commit
from gatekeeper.provenance.gpg import run_process
from gatekeeper.provenance.openpgp import dearmor, packets, read_issuer
from gatekeeper.provenance.signatures import NO_KEYRING
from tests.provenance_helpers import forge_gpg_key

S = SignatureStatus
NOW = datetime(2026, 12, 1, tzinfo=UTC)
# gpg --quick-gen-key algorithms: the OpenPGP public-key algorithm each signs with (RFC 4880 / 6637, EdDSA draft).
ALGORITHMS = {"ed25519": 22, "nistp256": 19, "dsa2048": 17, "rsa2048": 1}


def _gpg(home: Path) -> list[str]:
    return ["gpg", "--homedir", str(home), "--batch", "--pinentry-mode", "loopback", "--passphrase", ""]


@pytest.fixture
def person(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[list[str], str]]:
    """A person's OpenPGP key of the algorithm the test is parametrized with: (gpg argv prefix, fingerprint)."""
    if shutil.which("gpg") is None or shutil.which("gpgconf") is None:
        pytest.skip("gpg is not installed")
    home = tmp_path / "person-gnupg"
    home.mkdir(mode=0o700)
    gpg = _gpg(home)
    made = subprocess.run([*gpg, "--quick-gen-key", "Dev <dev@example.com>", request.param, "sign", "never"],
                          capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"this gpg cannot make {request.param} keys")
    listing = subprocess.run([*gpg, "--with-colons", "--list-keys"], check=True, capture_output=True, text=True)
    fpr = next(line.split(":")[9] for line in listing.stdout.splitlines() if line.startswith("fpr:"))
    try:
        yield gpg, fpr
    finally:
        subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], capture_output=True, check=False)


def _signed(tmp_path: Path, gpg: list[str], fpr: str) -> bytes:
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    env = {**os.environ, "GNUPGHOME": gpg[2], "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "dev@example.com", "GIT_COMMITTER_NAME": "Dev",
           "GIT_COMMITTER_EMAIL": "dev@example.com"}
    subprocess.run(["git", "-c", f"user.signingkey={fpr}", "commit", "-q", "--allow-empty", "-S", "-m", "change\n"],
                   cwd=repo, env=env, check=True, capture_output=True)
    return subprocess.run(["git", "cat-file", "commit", "HEAD"], cwd=repo, check=True, capture_output=True).stdout


def _git_letter(tmp_path: Path, raw: bytes) -> tuple[str, str]:
    """git's %G? and %GK for the commit with an empty GnuPG home (no key: `E`)."""
    repo = tmp_path / "repo"
    home = tmp_path / "empty-gnupg"
    home.mkdir(mode=0o700, exist_ok=True)
    env = {**os.environ, "GNUPGHOME": str(home), "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    sha = subprocess.run(["git", "hash-object", "-t", "commit", "-w", "--stdin"], cwd=repo, input=raw,
                         check=True, capture_output=True).stdout.decode().strip()
    out = subprocess.run(["git", "log", "-1", "--format=%G? %GK", sha], cwd=repo, env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], capture_output=True, check=False)
    return out[0], out[1] if len(out) > 1 else ""


@pytest.mark.parametrize("person", sorted(ALGORITHMS), indirect=True)
def test_unchecked_signature_names_its_issuer_like_git(tmp_path: Path, person: tuple[list[str], str]) -> None:
    gpg, fpr = person
    raw = _signed(tmp_path, gpg, fpr)
    signature, payload, _ = split_signature(raw)
    assert signature is not None
    (packet,) = packets(dearmor(signature, b"SIGNATURE"))
    algorithm = packet[1][2]
    assert algorithm in ALGORITHMS.values()

    info = verify_commit(raw, signers=(), now=NOW)
    assert (info.status, info.format, info.forge) == (S.UNTRUSTED, "openpgp", None)
    assert info.key == fpr and info.detail == f"OpenPGP signature by key {fpr} {NO_KEYRING}"
    letter, key_id = _git_letter(tmp_path, raw)
    assert letter == "E" and fpr.endswith(key_id)

    # With the signer's keyring gpg decides, as before: valid (the key's own keyring trusts it ultimately).
    checked = verify_commit(raw, signers=(), now=NOW, gpg=openpgp_verifier(run_process, Path(gpg[2])))
    assert (checked.status, checked.key) == (S.GOOD, fpr), checked
    tampered = verify_commit(raw.replace(b"change", b"chaNge"), signers=(), now=NOW,
                             gpg=openpgp_verifier(run_process, Path(gpg[2])))
    assert tampered.status is S.BAD, tampered
    # Only RSA signatures are verified in this process (the forge keys are RSA); the others keep no parsed signature.
    assert (read_issuer(signature).signature is None) is (algorithm != 1)


def _claiming(signature: bytes, fpr: str) -> bytes:
    """`signature` with its issuer fingerprint and key id subpackets rewritten to name `fpr` (same lengths)."""
    (packet,) = packets(dearmor(signature, b"SIGNATURE"))
    body = packet[1]
    data = bytearray(dearmor(signature, b"SIGNATURE"))
    start = len(data) - len(body)  # one packet: its body is the tail
    own, claimed = bytes.fromhex(read_issuer(signature).issuer or ""), bytes.fromhex(fpr)
    assert len(own) == 20 and own in body
    data[start:] = body.replace(own, claimed).replace(own[-8:], claimed[-8:])
    text = base64.b64encode(bytes(data))
    return (b"-----BEGIN PGP SIGNATURE-----\n\n" + b"\n".join(text[i : i + 64] for i in range(0, len(text), 64))
            + b"\n-----END PGP SIGNATURE-----\n")


@pytest.mark.parametrize("person", ["ed25519", "nistp256"], indirect=True)
def test_a_non_rsa_signature_claiming_a_forge_key_is_never_good(tmp_path: Path, person: tuple[list[str], str]) -> None:
    """Attack on the loosened reading: the issuer of an EdDSA/ECDSA signature now reaches the forge-key lookup, so
    one that names the forge's key is handed to gpg holding only the forge keys. gpg must refuse it (the algorithm
    is not the key's, and the bytes were signed by another key): never GOOD, with or without the forge's gpg."""
    gpg, fpr = person
    raw = _signed(tmp_path, gpg, fpr)
    signature = split_signature(raw)[0]
    assert signature is not None
    with forge_gpg_key(tmp_path / "forge-gnupg") as (forge_argv, keys, forge_fpr):
        forged_armor = _claiming(signature, forge_fpr)
        assert read_issuer(forged_armor).issuer == forge_fpr
        lines = forged_armor.rstrip(b"\n").split(b"\n")
        header = b"gpgsig " + b"\n ".join(lines) + b"\n"
        start = raw.index(b"gpgsig ")
        end = raw.index(b"-----END PGP SIGNATURE-----\n", start) + len(b"-----END PGP SIGNATURE-----\n")
        forged = raw[:start] + header + raw[end:]
        assert split_signature(forged)[0] == forged_armor
        forge_gpg = openpgp_verifier(run_process, Path(forge_argv[2]))
        for kwargs in ({}, {"forge_gpg": forge_gpg}):
            info = verify_commit(forged, signers=(), now=NOW, forge=keys, **kwargs)  # type: ignore[arg-type]
            assert info.status is not S.GOOD, info
            assert info.status in (S.ERROR, S.BAD, S.UNTRUSTED), info
        assert verify_commit(forged, signers=(), now=NOW, forge=keys, forge_gpg=forge_gpg).status in (S.ERROR, S.BAD)
        # The person's own key does not vouch for it either: the issuer is not theirs any more.
        mine = verify_commit(forged, signers=(), now=NOW, gpg=openpgp_verifier(run_process, Path(gpg[2])))
        assert mine.status is not S.GOOD, mine


def _v3_signature(payload: bytes, key_id: bytes, when: int = 1_550_342_722) -> bytes:
    """A version 3 RSA signature packet over `payload` (PGP 2.x's layout: runc has 16 such commits), armored,
    signed with a fresh RSA key whose id it says is `key_id`."""
    import hashlib
    import struct

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

    from gatekeeper.provenance.openpgp import _crc24

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    hashed = b"\x00" + struct.pack(">I", when)  # signature type, creation time
    digest = hashlib.sha256(payload + hashed).digest()
    value = private.sign(digest, padding.PKCS1v15(), Prehashed(hashes.SHA256()))
    mpi = struct.pack(">H", int.from_bytes(value, "big").bit_length()) + value.lstrip(b"\x00")
    body = b"\x03\x05" + hashed + key_id + b"\x01\x08" + digest[:2] + mpi
    packet = b"\x89" + struct.pack(">H", len(body)) + body
    text = base64.b64encode(packet)
    crc = base64.b64encode(_crc24(packet).to_bytes(3, "big"))
    return (b"-----BEGIN PGP SIGNATURE-----\n\n" + b"\n".join(text[i : i + 64] for i in range(0, len(text), 64))
            + b"\n=" + crc + b"\n-----END PGP SIGNATURE-----\n")


def _with_signature(raw: bytes, armor: bytes) -> bytes:
    head, body = raw.split(b"\n\n", 1)
    return head + b"\ngpgsig " + b"\n ".join(armor.rstrip(b"\n").split(b"\n")) + b"\n\n" + body


def test_a_version_3_signature_names_its_key_id_like_git(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "Dev",
           "GIT_AUTHOR_EMAIL": "dev@example.com", "GIT_COMMITTER_NAME": "Dev", "GIT_COMMITTER_EMAIL": "dev@example.com"}
    subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", "old\n"], cwd=repo, env=env, check=True)
    unsigned = subprocess.run(["git", "cat-file", "commit", "HEAD"], cwd=repo, check=True, capture_output=True).stdout
    key_id = bytes.fromhex("82C9378ED3C4906A")
    raw = _with_signature(unsigned, _v3_signature(unsigned, key_id))
    (packet,) = packets(dearmor(split_signature(raw)[0] or b"", b"SIGNATURE"))
    assert packet[1][0] == 3
    info = verify_commit(raw, signers=(), now=NOW)
    assert (info.status, info.key) == (S.UNTRUSTED, "82C9378ED3C4906A") and info.detail.endswith(NO_KEYRING)
    if shutil.which("gpg") is not None:
        assert _git_letter(tmp_path, raw) == ("E", "82C9378ED3C4906A")


def test_a_version_3_signature_claiming_a_forge_key_is_never_good(tmp_path: Path) -> None:
    """A v3 packet naming the forge key's id reaches the forge's gpg now: signed by another key, it is refused."""
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "Dev",
           "GIT_AUTHOR_EMAIL": "dev@example.com", "GIT_COMMITTER_NAME": "GitHub",
           "GIT_COMMITTER_EMAIL": "noreply@github.com"}
    subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", "Merge pull request #1 from a/b\n"], cwd=repo,
                   env=env, check=True)
    unsigned = subprocess.run(["git", "cat-file", "commit", "HEAD"], cwd=repo, check=True, capture_output=True).stdout
    with forge_gpg_key(tmp_path / "forge-gnupg") as (forge_argv, keys, forge_fpr):
        raw = _with_signature(unsigned, _v3_signature(unsigned, bytes.fromhex(forge_fpr[-16:])))
        assert read_issuer(split_signature(raw)[0] or b"").issuer == forge_fpr[-16:]
        for forge_gpg in (None, openpgp_verifier(run_process, Path(forge_argv[2]))):
            info = verify_commit(raw, signers=(), now=NOW, forge=keys, forge_gpg=forge_gpg)
            assert info.status is not S.GOOD, info
            assert info.status in ((S.UNTRUSTED,) if forge_gpg is None else (S.BAD, S.ERROR)), info
