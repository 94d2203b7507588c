"""The process runner provenance uses for gpg (through gatekeeper.process, like every child process).

`run_process` is the `Runner` that `openpgp_verifier` and the device CLI take: LANG=C, a timeout, no
shell, and a ToolError that shows argv when the program is missing or hangs. `gpg_fingerprint` turns
a key id a person types (`--gpg-key 0xABCD...`, an email) into the one 40-digit fingerprint the device
registry stores, refusing ambiguous or unknown ids instead of guessing.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from gatekeeper import process
from gatekeeper.errors import ConfigError, ToolError, UsageError
from gatekeeper.lazy_regex import lazy
from gatekeeper.provenance.openpgp import GITHUB_KEYS_FILE, key_dir
from gatekeeper.provenance.signatures import Runner

TIMEOUT_SECONDS = 10.0
_FPR_RE = lazy(r"^[0-9A-F]{40}$")


def run_process(argv: list[str], stdin: bytes | None = None, *, timeout: float = TIMEOUT_SECONDS,
                ) -> tuple[int, bytes, bytes]:
    """Run argv (no shell) with LANG=C; (exit code, stdout, stderr). ToolError when it cannot run."""
    env = dict(os.environ, LANG="C", LC_ALL="C", LANGUAGE="C")
    try:
        proc = process.run(argv, input=stdin, env=env, timeout=timeout)
    except FileNotFoundError:
        raise ToolError(f"{argv[0]} is not installed or not on PATH (running {' '.join(argv)})",
                        f"install {argv[0]}") from None
    except process.Timeout:
        raise ToolError(f"{argv[0]} did not answer within {timeout:g}s (running {' '.join(argv)})",
                        f"check that {argv[0]} works non-interactively (no pinentry or agent prompt)") from None
    return proc.returncode, proc.stdout, proc.stderr


def gpg_fingerprint(key_id: str, *, run: Runner = run_process, gnupghome: Path | None = None,
                    gpg_program: str = "gpg") -> str:
    """The primary-key fingerprint of the one key `key_id` names in the keyring (40 upper-case hex)."""
    if not key_id.strip() or key_id.startswith("-") or not key_id.isprintable():
        raise UsageError(f"invalid GPG key id {key_id!r}",
                         "pass a key id, fingerprint or email, e.g. --gpg-key 0x1234ABCD")
    argv = [gpg_program, "--batch", "--no-tty", "--with-colons", "--fingerprint", "--", key_id]
    if gnupghome is not None:
        argv[1:1] = ["--homedir", str(gnupghome)]
    returncode, stdout, stderr = run(argv, None)
    fingerprints = parse_primary_fingerprints(stdout.decode("utf-8", "replace"))
    where = f" in {gnupghome}" if gnupghome is not None else ""
    if returncode != 0 or not fingerprints:
        first = stderr.decode("utf-8", "replace").strip().splitlines()[:1]
        reason = f" ({first[0]})" if first else ""
        raise ConfigError(f"no OpenPGP key {key_id!r} in the GnuPG keyring{where}{reason}",
                          "import the device's public key first (`gpg --import key.asc`), or check the key id")
    if len(fingerprints) > 1:
        raise UsageError(f"GPG key id {key_id!r} matches {len(fingerprints)} keys{where}: {', '.join(fingerprints)}",
                         "pass the full 40-digit fingerprint of the device's key")
    return fingerprints[0]


def parse_primary_fingerprints(colons: str) -> list[str]:
    """Primary-key fingerprints from `gpg --with-colons` output: the `fpr` record right after each `pub`."""
    found: list[str] = []
    after_pub = False
    for line in colons.splitlines():
        fields = line.split(":")
        if fields[0] == "pub":
            after_pub = True
        elif fields[0] == "fpr" and after_pub:
            after_pub = False
            fpr = fields[9].upper() if len(fields) > 9 else ""
            if _FPR_RE.match(fpr) and fpr not in found:
                found.append(fpr)
        elif fields[0] in ("sub", "sec", "ssb"):
            after_pub = False
    return found


@lru_cache(maxsize=4)
def forge_gnupghome(gpg_program: str = "gpg") -> Path | None:
    """A private GnuPG home holding only the shipped forge keys (made once per process, removed at exit).

    For the forge signatures `openpgp.verify_forge_openpgp` leaves to gpg, and for tests that ask git the
    same question. Never the user's keyring. None when gpg cannot import the keys (e.g. not installed).
    """
    home = Path(tempfile.mkdtemp(prefix="gatekeeper-forge-gnupg-"))
    atexit.register(shutil.rmtree, home, True)
    try:
        code, _out, _err = run_process([gpg_program, "--batch", "--no-tty", "--homedir", str(home), "--import",
                                        str(key_dir() / GITHUB_KEYS_FILE)], None, timeout=30)
    except ToolError:
        return None
    return home if code == 0 else None
