"""A real private key whose random base64 happens to hold four to seven x's (`xXxX`) is a key, not a placeholder.

Found by a fresh-clone CI run: tests/test_red138_hostile.py's fresh Ed25519 key on one line was once read as
"placeholder key body" — `x{4,}` is a placeholder's mark, and random key material holds such a run about once in 25,000
Ed25519 keys (more often in longer keys). Here the run is put into real keys on purpose; the placeholders that write
x's (a run of them alone, a longer run, an elided body) stay placeholders."""

from __future__ import annotations

import base64
import random

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from gatekeeper.scan.secrets import SecretDetector
from tests.test_red138_hostile import ONE_LINE_FORMS, _key_hits, _one_line

_rng = random.Random(20261207)


def _key_with_run(make: str, run: str) -> str:
    """A freshly generated key's PEM whose first body line holds `run` (still valid base64, same length)."""
    while True:
        key = ed25519.Ed25519PrivateKey.generate() if make == "ed25519" else ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode().strip()
        lines = pem.split("\n")
        at = _rng.randrange(24, len(lines[1]) - len(run) - 2)
        body = lines[1][:at] + run + lines[1][at + len(run):]
        if body[at - 1] in "xX" or body[at + len(run)] in "xX":
            continue  # (a neighbour x would make the run longer than meant)
        try:
            base64.b64decode(body + "=" * (-len(body) % 4), validate=True)
        except ValueError:
            continue
        return "\n".join([lines[0], body, *lines[2:]])


@pytest.mark.parametrize("form", sorted(ONE_LINE_FORMS))
@pytest.mark.parametrize("run", ["xXxX", "XXXX", "xxxxx", "xXxXxXx"])
@pytest.mark.parametrize("make", ["ed25519", "p256"])
def test_a_real_key_holding_a_short_x_run_blocks(secrets_detector: SecretDetector, form: str, run: str,
                                                 make: str) -> None:
    path, template = ONE_LINE_FORMS[form]
    hits = _key_hits(secrets_detector, template.format(k=_one_line(_key_with_run(make, run))), path)
    assert hits and not all(reason for _, reason in hits), hits


@pytest.mark.parametrize("body", [
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",  # a run alone
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQxxxxxxxxxxxxxxxx",  # a longer run ends an elided body
    "xxxx",
])
def test_placeholders_written_with_xs_stay_placeholders(secrets_detector: SecretDetector, body: str) -> None:
    line = 'key = "-----BEGIN PRIVATE KEY-----\\n' + body + '\\n-----END PRIVATE KEY-----"'
    hits = _key_hits(secrets_detector, line, "config/settings.py")
    assert not hits or all(reason for _, reason in hits), hits
