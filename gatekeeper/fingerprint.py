"""The one hash gatekeeper computes over content: finding fingerprints, redaction digests, cache keys.

A fingerprint or a redaction hash that covers a line of code or a secret value is a password oracle when
it is a plain sha256: whoever reads a report (a SARIF upload, a CI log, the decision log) can hash a
wordlist with the same rule id, path and line shape and recognise the password. With
GATEKEEPER_FINGERPRINT_KEY set (a secret shared by the hook, CI and whoever writes baselines) every such
hash is an HMAC-SHA256 under that key, which nobody without the key can compute. Without a key it is
plain sha256, so fingerprints stay stable across machines that share no secret.

Everything that hashes content calls `digest` here — never hashlib directly (tests/test_fingerprint.py
holds the package to that) — so a new hash cannot forget the key. This module imports nothing of ours:
`models` depends on it.
"""

from __future__ import annotations

import hashlib
import hmac
import os

KEY_ENV = "GATEKEEPER_FINGERPRINT_KEY"


def current_key() -> str:
    """The key in force for this process ('' when none): read at each call, so tests and the hook's
    environment decide, not import order."""
    return os.environ.get(KEY_ENV, "")


def digest(data: str | bytes, *, key: str | None = None) -> str:
    """Hex HMAC-SHA256 of `data` under `key` (default: GATEKEEPER_FINGERPRINT_KEY), or plain sha256
    when there is no key. Text is encoded as UTF-8 with lone surrogates kept (paths decoded from raw
    bytes carry them), so two different inputs never hash alike."""
    raw = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
    secret = current_key() if key is None else key
    if secret:
        return hmac.new(secret.encode("utf-8", "surrogatepass"), raw, hashlib.sha256).hexdigest()
    return hashlib.sha256(raw).hexdigest()


def digest_parts(*parts: str, key: str | None = None) -> str:
    """`digest` of several fields, NUL-separated (no field boundary can be forged by the content)."""
    return digest("\x00".join(parts), key=key)
