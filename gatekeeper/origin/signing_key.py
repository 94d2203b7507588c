"""The strongest origin signal: a good signature by a key registered to a device.

Provenance verifies the signature and looks the key up in the device registry; this detector turns
that fact into verified evidence, so a registered mobile key makes a commit mobile whatever its
trailers say.
"""

from __future__ import annotations

from collections.abc import Iterable

from gatekeeper.models import Commit, Evidence, Trust
from gatekeeper.origin.base import OriginContext


class SigningKeyDetector:
    id = "signing-key"
    description = "good signature by a key registered to a device in the device registry"

    def detect(self, commit: Commit, ctx: OriginContext) -> Iterable[Evidence]:
        fact = ctx.devices.get(commit.sha)
        if fact is None:
            return []
        managed = "managed" if fact.managed else "personal/BYOD"
        key = "" if fact.key_status == "good" else f", key {fact.key_status}"
        return [Evidence(self.id, f"signed by registered {fact.device_class.value} device {fact.device_id} "
                         f"({managed}, owner {fact.owner}{key})", Trust.VERIFIED, device=fact.device_class,
                         device_id=fact.device_id, managed=fact.managed)]
