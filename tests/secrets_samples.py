"""Expands the `sample:` templates of rules/secrets.yml ("hf_{34:letters}") into concrete values.

A template is literal text with `{N:alphabet}` fields; values are drawn from a seeded generator at
run time, so no token-shaped literal is stored in the repository.
"""

from __future__ import annotations

import random
import re
import string
from pathlib import Path

import yaml

ALPHABETS = {
    "b62": string.ascii_letters + string.digits,
    "b64": string.ascii_letters + string.digits + "+/",
    "b64url": string.ascii_letters + string.digits + "-_",
    "hex": "0123456789abcdef",
    "HEX": "0123456789ABCDEF",
    "upper": string.ascii_uppercase + string.digits,
    "lower": string.ascii_lowercase,
    "lowernum": string.ascii_lowercase + string.digits,
    "digits": string.digits,
    "letters": string.ascii_letters,
    "bech32": "qpzry9x8gf2tvdw0s3jn54khce6mua7l".upper(),
    "bech32lower": "abcdefghijklmnopqrstuvwxyz234567",  # base32 (RFC 4648), lowercase
}
FIELD = re.compile(r"\{(\d+):(\w+)\}")
RULES_FILE = Path(__file__).resolve().parents[1] / "rules" / "secrets.yml"


def expand(template: str, rng: random.Random, fill: str | None = None) -> str:
    """The template with every field filled from its alphabet (or with `fill` repeated)."""

    def field(match: re.Match[str]) -> str:
        size, alphabet = int(match.group(1)), ALPHABETS[match.group(2)]
        if fill is not None:
            return fill * size
        return "".join(rng.choice(alphabet) for _ in range(size))

    return FIELD.sub(field, template)


def rule_entries() -> list[dict[str, object]]:
    """The shipped rules as written (read with libyaml where present: two test modules read them at collection, in
    every worker, and the pure-Python parser took a second there)."""
    text = RULES_FILE.read_text(encoding="utf-8")
    data = yaml.load(text, Loader=yaml.CSafeLoader) if hasattr(yaml, "CSafeLoader") else yaml.safe_load(text)
    return list(data["rules"])
