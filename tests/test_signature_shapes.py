"""OpenPGP key shapes gatekeeper leaves to gpg, each judged against git's %G? over the same keyring with real keys.

sig150's blind measurement could not reach these on real histories (the signers' public keys are not in the
mirrors: every person's OpenPGP signature there is git's `E`), so they are built here: a signing subkey under a
certify-only primary, a key that has expired, a revoked key, a signature that has expired itself, a valid key
the keyring does not vouch for, and Ed25519 / ECDSA / DSA keys. Times in the past come from gpg's
--faked-system-time, through a gpg.program wrapper, so that git signs exactly as it would have then.

The mapping, as tests/test_signature_real.py's docstring has it, extended with the letters met here:

| git | gatekeeper |
|---|---|
| G | good |
| U | untrusted (no owner trust for the key) |
| X (good signature that has expired) | expired |
| Y (good signature by a key that has expired) | expired |
| R (good signature by a revoked key) | revoked |
| B | bad |
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gatekeeper.models import SignatureStatus
from gatekeeper.provenance import openpgp_verifier, verify_commit
from gatekeeper.provenance.gpg import run_process
from gatekeeper.provenance.openpgp import bundled_forge_keys

S = SignatureStatus
NOW = datetime.now(UTC)
MAPPING = {"G": S.GOOD, "U": S.UNTRUSTED, "X": S.EXPIRED, "Y": S.EXPIRED, "R": S.REVOKED, "B": S.BAD}
PAST = "20240101T000000"


class Keyring:
    def __init__(self, home: Path) -> None:
        home.mkdir(mode=0o700, parents=True)
        self.home = home

    def gpg(self, *args: str, faked: str | None = None, check: bool = True) -> str:
        argv = ["gpg", "--homedir", str(self.home), "--batch", "--yes", "--pinentry-mode", "loopback",
                "--passphrase", ""]
        if faked:
            argv.append(f"--faked-system-time={faked}")
        return subprocess.run([*argv, *args], check=check, capture_output=True, text=True).stdout

    def key(self, uid: str, algo: str = "ed25519", usage: str = "sign", expire: str = "never",
            faked: str | None = None) -> str:
        self.gpg("--quick-gen-key", uid, algo, usage, expire, faked=faked)
        listing = self.gpg("--with-colons", "--list-keys", uid)
        return next(line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:"))

    def close(self) -> None:
        subprocess.run(["gpgconf", "--homedir", str(self.home), "--kill", "all"], capture_output=True, check=False)


@pytest.fixture
def keyring(tmp_path: Path) -> Iterator[Keyring]:
    if shutil.which("gpg") is None or shutil.which("gpgconf") is None:
        pytest.skip("gpg is not installed")
    ring = Keyring(tmp_path / "gnupg")
    try:
        yield ring
    finally:
        ring.close()


def _commit(tmp_path: Path, ring: Keyring, key: str, message: str, *gpg_args: str) -> tuple[Path, str]:
    """A commit signed by git with `key` (gpg called with `gpg_args`, e.g. a faked time); (repo, sha)."""
    repo = tmp_path / "repo"
    if not repo.exists():
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
    wrapper = tmp_path / f"gpg-{len(list(tmp_path.glob('gpg-*')))}"
    wrapper.write_text("#!/bin/sh\nexec gpg " + " ".join(gpg_args) + ' "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    env = {**os.environ, "GNUPGHOME": str(ring.home), "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "dev@example.com", "GIT_COMMITTER_NAME": "Dev",
           "GIT_COMMITTER_EMAIL": "dev@example.com"}
    subprocess.run(["git", "-c", f"user.signingkey={key}", "-c", f"gpg.program={wrapper}", "commit", "-q",
                    "--allow-empty", "-S", "-m", message], cwd=repo, env=env, check=True, capture_output=True)
    sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, check=True, capture_output=True, text=True).stdout
    return repo, sha.strip()


def _both(repo: Path, sha: str, home: Path) -> tuple[tuple[str, str, str], object]:
    """(git's %G? %GK %GP, gatekeeper's verdict) over the same keyring."""
    env = {**os.environ, "GNUPGHOME": str(home), "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    out = subprocess.run(["git", "log", "-1", "--format=%G?|%GK|%GP", sha], cwd=repo, env=env, check=True,
                         capture_output=True, text=True).stdout.strip().split("|")
    raw = subprocess.run(["git", "cat-file", "commit", sha], cwd=repo, check=True, capture_output=True).stdout
    info = verify_commit(raw, signers=(), now=NOW, gpg=openpgp_verifier(run_process, home),
                         forge=bundled_forge_keys())
    return (out[0], out[1], out[2]), info


def _agree(git: tuple[str, str, str], info: object) -> None:
    from gatekeeper.models import SignatureInfo

    assert isinstance(info, SignatureInfo)
    letter, _key, primary = git
    assert info.status is MAPPING[letter], (git, info)
    assert info.forge is None
    if primary:  # gpg names the primary key when it found the key; gatekeeper reports that fingerprint
        assert info.key == primary, (git, info)


@pytest.mark.parametrize("algo", ["ed25519", "nistp256", "dsa2048", "rsa2048"])
def test_key_algorithms(tmp_path: Path, keyring: Keyring, algo: str) -> None:
    try:
        fpr = keyring.key(f"{algo} <{algo}@example.com>", algo)
    except subprocess.CalledProcessError:
        pytest.skip(f"this gpg cannot make {algo} keys")
    repo, sha = _commit(tmp_path, keyring, fpr, "change\n")
    git, info = _both(repo, sha, keyring.home)
    assert git[0] == "G"
    _agree(git, info)


def test_signing_subkey_reports_the_primary_fingerprint(tmp_path: Path, keyring: Keyring) -> None:
    primary = keyring.key("Sub <sub@example.com>", "ed25519", "cert")
    keyring.gpg("--quick-add-key", primary, "ed25519", "sign", "never")
    repo, sha = _commit(tmp_path, keyring, primary, "change\n")
    git, info = _both(repo, sha, keyring.home)
    assert git[0] == "G" and git[1] != primary[-16:] and git[2] == primary  # signed by the subkey
    _agree(git, info)


def test_key_that_has_expired_since_it_signed(tmp_path: Path, keyring: Keyring) -> None:
    fpr = keyring.key("Old <old@example.com>", "ed25519", "sign", "1d", faked=PAST)
    repo, sha = _commit(tmp_path, keyring, fpr, "change\n", f"--faked-system-time={PAST}")
    git, info = _both(repo, sha, keyring.home)
    assert git[0] == "Y"
    _agree(git, info)


def test_signature_that_has_expired_itself(tmp_path: Path, keyring: Keyring) -> None:
    fpr = keyring.key("Sig <sig@example.com>", "ed25519", "sign", "never", faked=PAST)
    repo, sha = _commit(tmp_path, keyring, fpr, "change\n", f"--faked-system-time={PAST}", "--default-sig-expire=1d")
    git, info = _both(repo, sha, keyring.home)
    assert git[0] == "X"
    _agree(git, info)


def test_revoked_key(tmp_path: Path, keyring: Keyring) -> None:
    fpr = keyring.key("Gone <gone@example.com>", "ed25519")
    repo, sha = _commit(tmp_path, keyring, fpr, "change\n")
    certificate = (keyring.home / "openpgp-revocs.d" / f"{fpr}.rev").read_text()
    revocation = tmp_path / "revoke.asc"
    revocation.write_text(certificate.replace(":-----BEGIN PGP PUBLIC KEY BLOCK", "-----BEGIN PGP PUBLIC KEY BLOCK"))
    keyring.gpg("--import", str(revocation))
    git, info = _both(repo, sha, keyring.home)
    assert git[0] == "R"
    _agree(git, info)


def test_valid_key_the_keyring_does_not_vouch_for(tmp_path: Path, keyring: Keyring) -> None:
    fpr = keyring.key("Other <other@example.com>", "ed25519")
    repo, sha = _commit(tmp_path, keyring, fpr, "change\n")
    verifier = Keyring(tmp_path / "verifier")
    try:
        exported = tmp_path / "other.asc"
        exported.write_text(keyring.gpg("--armor", "--export", fpr))
        verifier.gpg("--import", str(exported))
        git, info = _both(repo, sha, verifier.home)
        assert git[0] == "U"
        _agree(git, info)
        # Tampered, the same keyring: bad for both.
        raw = subprocess.run(["git", "cat-file", "commit", sha], cwd=repo, check=True, capture_output=True).stdout
        tampered = subprocess.run(["git", "hash-object", "-t", "commit", "-w", "--stdin"], cwd=repo, check=True,
                                  input=raw.replace(b"change", b"chaNge"), capture_output=True).stdout.decode().strip()
        git, info = _both(repo, tampered, verifier.home)
        assert git[0] == "B"
        _agree(git, info)
    finally:
        verifier.close()


def test_signed_merge_of_a_signed_tag_carries_a_mergetag(tmp_path: Path, keyring: Keyring) -> None:
    """`git merge -S v1` of a signed tag writes the tag, with its own signature, as a `mergetag` header before the
    commit's `gpgsig`: the commit's signature covers the mergetag (payload keeps it), and the tag's armor inside it
    is never read as the commit's signature. SSH-signed commit and tag, an OpenPGP-signed tag, and the merge
    tampered in its mergetag only: each as git says."""
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen is not installed")
    from gatekeeper.provenance import parse_allowed_signers

    key = tmp_path / "dev"
    subprocess.run(["ssh-keygen", "-q", "-N", "", "-t", "ed25519", "-C", "dev", "-f", str(key)], check=True)
    signers = tmp_path / "allowed_signers"
    signers.write_text(f"dev@example.com {' '.join(key.with_suffix('.pub').read_text().split()[:2])}\n")
    fpr = keyring.key("Tagger <tagger@example.com>", "ed25519")
    repo = tmp_path / "repo"
    env = {**os.environ, "GNUPGHOME": str(keyring.home), "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "dev@example.com", "GIT_COMMITTER_NAME": "Dev",
           "GIT_COMMITTER_EMAIL": "dev@example.com"}

    def git(*args: str, config: tuple[str, ...] = ()) -> str:
        return subprocess.run(["git", *config, *args], cwd=repo, env=env, check=True, capture_output=True,
                              text=True).stdout.strip()

    ssh = ("-c", "gpg.format=ssh", "-c", f"user.signingkey={key}", "-c", f"gpg.ssh.allowedSignersFile={signers}")
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    git("commit", "-q", "--allow-empty", "-m", "base")
    git("switch", "-q", "-c", "topic")
    git("commit", "-q", "--allow-empty", "-m", "topic 1")
    git("tag", "-s", "-m", "v1 (ssh)", "v1", config=ssh)
    git("commit", "-q", "--allow-empty", "-m", "topic 2")
    git("tag", "-s", "-m", "v2 (openpgp)", "v2", config=("-c", f"user.signingkey={fpr}"))
    git("switch", "-q", "main")
    merges = []
    for tag in ("v1", "v2"):
        git("merge", "-q", "--no-ff", "-S", "-m", f"merge {tag}", tag, config=ssh)
        merges.append(git("rev-parse", "HEAD"))
    trust = parse_allowed_signers(signers.read_text(), str(signers))
    for sha in merges:
        raw = subprocess.run(["git", "cat-file", "commit", sha], cwd=repo, check=True, capture_output=True).stdout
        head = raw.split(b"\n\n", 1)[0]
        assert head.index(b"\nmergetag ") < head.index(b"\ngpgsig "), raw
        letter = git("log", "-1", "--format=%G?", sha, config=ssh)
        info = verify_commit(raw, signers=trust, now=NOW, forge=bundled_forge_keys())
        assert (letter, info.status, info.format) == ("G", S.GOOD, "ssh"), info
        # The mergetag is signed payload: change a byte of the tag's message inside it and both say bad.
        forged = raw.replace(b" v1 (ssh)", b" v1 (SSH)").replace(b" v2 (openpgp)", b" v2 (OpenPGP)")
        assert forged != raw
        forged_sha = subprocess.run(["git", "hash-object", "-t", "commit", "-w", "--stdin"], cwd=repo, check=True,
                                    input=forged, capture_output=True, env=env).stdout.decode().strip()
        assert git("log", "-1", "--format=%G?", forged_sha, config=ssh) == "B"
        assert verify_commit(forged, signers=trust, now=NOW).status is S.BAD
        # Without the commit's signature, the tag's armor in the mergetag is not a commit signature: unsigned.
        bare = raw[: raw.index(b"\ngpgsig ") + 1] + raw[raw.index(b"\n\n", raw.index(b"\ngpgsig ")) + 1 :]
        bare_sha = subprocess.run(["git", "hash-object", "-t", "commit", "-w", "--stdin"], cwd=repo, check=True,
                                  input=bare, capture_output=True, env=env).stdout.decode().strip()
        assert git("log", "-1", "--format=%G?", bare_sha, config=ssh) == "N"
        assert verify_commit(bare, signers=trust, now=NOW).status is S.UNSIGNED
