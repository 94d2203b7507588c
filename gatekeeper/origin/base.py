"""What an origin detector is and what it may look at.

A detector is a small object with a stable `id` and a `detect(commit, ctx)` that returns Evidence;
it never decides the final Origin. `resolve()` in this package merges the evidence of every
detector and reports conflicts instead of silently picking one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from gatekeeper.models import Commit, DeviceClass, Evidence, SignatureInfo


@dataclass(frozen=True, slots=True)
class ForgeInfo:
    """What the server knows about the push (pre-receive environment of GHES, GitLab or Gitea)."""

    forge: str  # "github", "gitlab", "gitea", "git"
    user: str | None = None
    via: str | None = None  # GHES GITHUB_VIA, GitLab GL_PROTOCOL, Gitea GITEA_PUSH_TRIGGER
    web_edit: bool = False
    pr_merge: bool = False
    pr_author: str | None = None
    repo: str | None = None


@dataclass(frozen=True, slots=True)
class DeviceFact:
    """A registered device a commit's signing key belongs to (filled in by provenance)."""

    device_id: str
    device_class: DeviceClass
    managed: bool
    owner: str
    key_status: str = "good"  # "expired" / "revoked": the device made the commit, its key is no longer trusted


@dataclass(frozen=True, slots=True)
class OriginContext:
    aliases: Mapping[str, DeviceClass] = field(default_factory=dict)
    trailer_aliases: tuple[str, ...] = ()
    ai_identities: tuple[str, ...] = ()
    ai_markers: tuple[str, ...] = ()  # policy origins.ai_markers: the project's own marks of an agent's work
    notes: Mapping[str, str] = field(default_factory=dict)
    ai_notes: Mapping[str, str] = field(default_factory=dict)  # git-ai authorship logs (refs/notes/ai)
    trace_notes: Mapping[str, str] = field(default_factory=dict)  # Agent Trace records (refs/notes/agent-trace)
    trace_files: Mapping[str, str] = field(default_factory=dict)  # records a commit adds to .agent-trace/traces.jsonl
    push_options: tuple[str, ...] = ()
    forge: ForgeInfo | None = None
    signatures: Mapping[str, SignatureInfo] = field(default_factory=dict)
    devices: Mapping[str, DeviceFact] = field(default_factory=dict)  # commit sha -> registered signer device
    recorded: Mapping[str, tuple[Evidence, ...]] = field(default_factory=dict)  # push-time origin the server kept
    # Web-flow commits whose pull-request merge the forge's API does not confirm (the Action): their message, which
    # a browser editor writes, claims a merge no merged pull request made — read as the web edits they are (red109).
    unconfirmed_merges: frozenset[str] = frozenset()


class Detector(Protocol):
    id: str
    description: str

    def detect(self, commit: Commit, ctx: OriginContext) -> Iterable[Evidence]: ...


def parse_device_class(value: str, aliases: Mapping[str, DeviceClass]) -> DeviceClass | None:
    """A device-class claim as written by a person; None when it names nothing we know."""
    word = value.strip().lower().split()[0] if value.strip() else ""
    if word in aliases:
        return aliases[word]
    try:
        cls = DeviceClass(word)
    except ValueError:
        return None
    return None if cls is DeviceClass.UNKNOWN else cls
