"""Detectors for what the author declared: DESIGN §3 trailers, git notes and push options.

All of it is self-asserted (trust `declared`): it can make a commit stricter, and a claim that
contradicts verified evidence is reported as spoofing by the resolver.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from gatekeeper.models import Commit, DeviceClass, Evidence, Trust
from gatekeeper.origin.base import OriginContext, parse_device_class
from gatekeeper.sanitize import clip

DEVICE_KEYS = ("origin-device",)
DEVICE_ID_KEYS = ("origin-device-id",)
CLIENT_KEYS = ("origin-client",)


def _from_pairs(pairs: Iterable[tuple[str, str]], ctx: OriginContext, source: str, what: str) -> Iterator[Evidence]:
    device_keys = DEVICE_KEYS + ctx.trailer_aliases
    device_id: str | None = None
    client: str | None = None
    claims: list[tuple[str, str]] = []
    for key, value in pairs:
        name = key.strip().lower()
        if name in device_keys:
            claims.append((key, value))
        elif name in DEVICE_ID_KEYS and value.strip():
            device_id = clip(value.strip(), 100)
        elif name in CLIENT_KEYS and value.strip():
            client = clip(value.strip(), 100)
    for key, value in claims:
        cls = parse_device_class(value, ctx.aliases)
        if cls is None:
            # Fail closed: an unrecognised claim is somebody saying "not my laptop".
            yield Evidence(source, f"{what} {clip(key, 40)}: {clip(value, 60)!r} is not a known device class; "
                           "treated as mobile", Trust.DECLARED, device=DeviceClass.MOBILE, device_id=device_id,
                           client=client)
        else:
            yield Evidence(source, f"{what} {clip(key, 40)}: {clip(value, 60)}", Trust.DECLARED, device=cls,
                           device_id=device_id, client=client)
    if not claims and (device_id or client):
        yield Evidence(source, f"{what} names device id/client without a device class", Trust.DECLARED,
                       device_id=device_id, client=client)


class TrailerDetector:
    id = "trailer"
    description = "Origin-Device / Origin-Device-Id / Origin-Client trailers (and policy aliases)"

    def detect(self, commit: Commit, ctx: OriginContext) -> Iterable[Evidence]:
        if not commit.trailers:
            return ()
        return list(_from_pairs(((t.key, t.value) for t in commit.trailers), ctx, self.id, "trailer"))


class NoteDetector:
    id = "note"
    description = "git notes under refs/notes/origin with the trailer keys"

    def detect(self, commit: Commit, ctx: OriginContext) -> Iterable[Evidence]:
        text = ctx.notes.get(commit.sha)
        if not text:
            return []
        return list(_from_pairs(note_pairs(text), ctx, self.id, "note"))


def note_pairs(text: str) -> list[tuple[str, str]]:
    """The `Key: value` lines of an origin note (refs/notes/origin), as the trailer keys are read from it: the
    first 200 lines, keys of letters, digits and dashes."""
    pairs = []
    for line in text.splitlines()[:200]:
        key, sep, value = line.partition(":")
        if sep and key.strip() and all(c.isalnum() or c == "-" for c in key.strip()):
            pairs.append((key, value.strip()))
    return pairs


class PushOptionDetector:
    id = "push-option"
    description = "`git push -o origin-device=mobile`: the pusher's device, for every commit of the push"

    def detect(self, commit: Commit, ctx: OriginContext) -> Iterable[Evidence]:
        return push_option_evidence(ctx)


def push_option_evidence(ctx: OriginContext) -> list[Evidence]:
    """What the push options say of every commit of the push (the same for each: pre-receive records it before the
    commits are judged, origin/recorded.py)."""
    if not ctx.push_options:
        return []
    pairs = []
    for option in ctx.push_options:
        key, sep, value = option.partition("=")
        if sep:
            pairs.append((key, value))
    return list(_from_pairs(pairs, ctx, PushOptionDetector.id, "push option"))
