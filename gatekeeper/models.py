"""The domain: immutable values that flow from the modes through the engine to the renderers.

Nothing here runs git, reads files or knows about policy files; every other module speaks in these
types, so a value that crosses a module boundary is one of them (never a bare dict).
"""

from __future__ import annotations

import dataclasses
import enum
import re
from dataclasses import dataclass, field

from gatekeeper.fingerprint import digest_parts

ZERO_SHA = "0" * 40
# A full object id: SHA-1 (40) or SHA-256 (64) lowercase hex, nothing before or after (not even a newline).
OBJECT_ID_PATTERN = "[0-9a-f]{40}(?:[0-9a-f]{24})?"  # for readers of git's own formats that match ids in place
_OBJECT_ID = re.compile(rf"\A{OBJECT_ID_PATTERN}\Z")


def is_sha(value: str | None) -> bool:
    """Whether `value` is a full lowercase object id (40 or 64 hex digits) — the one rule for every
    object id read from git, stdin, an API or a file."""
    return isinstance(value, str) and bool(_OBJECT_ID.match(value))


def is_zero(sha: str) -> bool:
    """The all-zeros id git uses for "no object" (a created or deleted ref)."""
    return set(sha) == {"0"}


class ExitCode(enum.IntEnum):
    """The process exit codes of every command (README "Exit codes")."""

    OK = 0  # allow or warn
    BLOCKED = 1
    USAGE = 2
    CONFIG = 3
    CANNOT_EVALUATE = 4
    INTERRUPTED = 130


class Severity(enum.IntEnum):
    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> Severity:
        return cls[value.strip().upper()]


class DeviceClass(enum.StrEnum):
    MOBILE = "mobile"
    TABLET = "tablet"
    WEB = "web"
    DESKTOP = "desktop"
    CI = "ci"
    UNKNOWN = "unknown"


# The classes a device can be registered or a commit tagged as (`unknown` is only ever inferred).
DEVICE_CLASSES = tuple(c.value for c in DeviceClass if c is not DeviceClass.UNKNOWN)


_AI_RANK = {"none": 0, "assisted": 1, "generated": 2}
_TRUST_RANK = {"verified": 3, "declared": 2, "heuristic": 1}


class AIInvolvement(enum.StrEnum):
    NONE = "none"
    ASSISTED = "assisted"
    GENERATED = "generated"

    @property
    def rank(self) -> int:
        return _AI_RANK[self]  # a StrEnum member hashes and compares as its value, without the `.value` lookup


class Trust(enum.StrEnum):
    """How far a piece of origin evidence can be believed, strongest first."""

    VERIFIED = "verified"  # a registered device key signed it; server-side forge metadata
    DECLARED = "declared"  # a trailer, note or push option the author wrote: self-asserted
    HEURISTIC = "heuristic"  # inferred, e.g. the web-flow committer

    @property
    def rank(self) -> int:
        return _TRUST_RANK[self]


class RefKind(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    FORCE = "force"
    DELETE = "delete"
    TAG = "tag"


class Decision(enum.StrEnum):
    ALLOW = "allow"
    WARN = "warn"
    BLOCK = "block"


class SignatureStatus(enum.StrEnum):
    GOOD = "good"
    BAD = "bad"
    UNSIGNED = "unsigned"
    UNTRUSTED = "untrusted"
    EXPIRED = "expired"
    REVOKED = "revoked"
    ERROR = "error"


class ReviewStatus(enum.StrEnum):
    APPROVED = "approved"
    MISSING = "missing"
    STALE = "stale"
    SELF = "self"
    UNKNOWN = "unknown"
    NOT_REQUIRED = "not-required"


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    email: str

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


@dataclass(frozen=True, slots=True)
class Trailer:
    """One `Key: value` line of a commit's final trailer block (continuations already folded)."""

    key: str
    value: str

    @property
    def name(self) -> str:
        """The key compared case-insensitively, as git does."""
        return self.key.lower()


@dataclass(frozen=True, slots=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    author: Person
    committer: Person
    author_time: int  # seconds since the epoch, as recorded (author-controlled)
    commit_time: int  # seconds since the epoch, as recorded (committer-controlled)
    message: str
    trailers: tuple[Trailer, ...] = ()

    @property
    def subject(self) -> str:
        """The first line that is not blank, as git's `%s` starts (and its raw format, which the audit reads,
        prints the message from): a message opening with a blank line is not subject-less (red81)."""
        message = self.message.lstrip(" \t\r\n")  # (what the first line keeps of it is stripped anyway)
        end = message.find("\n")  # not split(): that copies the rest of the message too
        return (message[:end] if end >= 0 else message).strip()

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1

    def trailer_values(self, *names: str) -> tuple[str, ...]:
        wanted = {n.lower() for n in names}
        return tuple(t.value for t in self.trailers if t.name in wanted)


@dataclass(frozen=True, slots=True)
class RefUpdate:
    ref: str
    old: str
    new: str
    kind: RefKind

    @property
    def short_ref(self) -> str:
        for prefix in ("refs/heads/", "refs/tags/"):
            if self.ref.startswith(prefix):
                return self.ref[len(prefix) :]
        return self.ref


class FileStatus(enum.StrEnum):
    ADDED = "A"
    MODIFIED = "M"
    DELETED = "D"
    TYPE_CHANGED = "T"
    OTHER = "X"


def display_path(raw: bytes) -> str:
    """A repository path's bytes as text, losslessly: valid UTF-8 as is, every byte that is not part of
    valid UTF-8 as git's octal escape (`creds\\376.txt`), and a backslash doubled so that no valid
    UTF-8 name can spell another name's escape. Two different byte strings never give the same text,
    so the text is safe as a key for every decision (zones, ignores, fingerprints, de-duplication)."""
    text = raw.decode("utf-8", "surrogateescape")
    if "\\" not in text and not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub(lambda m: f"\\{ord(m.group()) - 0xDC00:03o}", text.replace("\\", "\\\\"))


def display_text(text: str) -> str:
    """Text that may hold a file system path as os.fsdecode gives it (a byte that is not UTF-8 as a lone surrogate,
    which no UTF-8 output can carry): those bytes as display_path writes them; any other text as it is."""
    return display_path(text.encode("utf-8", "surrogateescape")) if _SURROGATE.search(text) else text


def path_key(path: str | bytes) -> bytes:
    """The raw bytes of a repository path given as raw bytes or as text (display_path's inverse for
    text without escapes: what tests and callers that build paths from Python strings pass)."""
    return path if isinstance(path, bytes) else path.encode("utf-8", "surrogateescape")


_SURROGATE = re.compile("[\udc80-\udcff]")


@dataclass(frozen=True, slots=True)
class FileChange:
    """One path a commit changed, with the blob ids git recorded (no content).

    `path` is the display text of the path (`display_path`: lossless, so distinct names never share
    it); `raw_path` is the bytes git recorded, the key every scanner uses to match a path across git
    outputs."""

    path: str
    status: FileStatus
    old_blob: str
    new_blob: str
    old_mode: str
    new_mode: str
    raw_path: bytes = b""

    @property
    def key(self) -> bytes:
        return self.raw_path or path_key(self.path)

    @property
    def is_symlink(self) -> bool:
        return self.new_mode == "120000"

    @property
    def is_gitlink(self) -> bool:
        return self.new_mode == "160000"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One signal about where a commit came from, and how far it can be trusted."""

    source: str  # evidence id, e.g. "trailer", "note", "forge/pr-merge", "forge/web-edit"
    detail: str
    trust: Trust
    device: DeviceClass | None = None
    ai: AIInvolvement | None = None
    device_id: str | None = None
    client: str | None = None
    managed: bool | None = None
    pr: int | None = None  # the pull/merge request a forge merge names (forge/pr-merge)
    agent: str | None = None  # AI evidence (ai/...): the agent id (gatekeeper.origin.agents), when known
    model: str | None = None  # ... the model it names
    session: str | None = None  # ... the agent session / conversation (id or URL)
    rule: str | None = None  # ... which rule matched: email, github-bot-id, aider-suffix, trailer, marker, ...
    ai_lines: tuple[tuple[str, str], ...] = ()  # ... (path, "1-4,9") the agent wrote, from git-ai / Agent Trace


@dataclass(frozen=True, slots=True)
class AgentInfo:
    """The AI agent a commit's evidence names, with what is known about its session."""

    id: str
    model: str | None = None
    session: str | None = None
    rule: str | None = None  # the rule that identified it (see Evidence.rule)
    source: str = ""  # the evidence id it came from


@dataclass(frozen=True, slots=True)
class Origin:
    device: DeviceClass = DeviceClass.UNKNOWN
    ai: AIInvolvement = AIInvolvement.NONE
    device_id: str | None = None
    client: str | None = None
    managed: bool | None = None
    evidence: tuple[Evidence, ...] = ()
    declared: bool = False  # at least one signal named a device class
    agent: AgentInfo | None = None  # the AI agent involved, when evidence names one
    # Paths holding lines an agent wrote, when line-level attribution (git-ai notes, Agent Trace) exists;
    # None when AI involvement is known only for the commit as a whole.
    ai_paths: frozenset[str] | None = None


# Findings that say content was not (fully) scanned: policy `unscanned` decides whether they block, and the
# pusher is always shown them.
UNSCANNED_RULES = ("scan/binary-skipped", "scan/file-too-large", "scan/diff-too-large", "scan/unreadable",
                   "scan/object-missing", "scan/parse-error", "scan/incomplete", "scan/source-encoding",
                   "scan/lfs-content", "scan/working-tree-encoding", "scan/file-skipped")
# Findings that a file of a commit went unread by a code scanner: in an agent's commit, the AI set judges them too.
AI_COVERAGE_RULES = frozenset({"scan/symlink-skipped", "scan/file-skipped"})


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str  # namespaced and stable: "secrets/aws-access-key", "policy/zone-violation", ...
    severity: Severity
    message: str  # never contains a secret value
    commit: str | None = None
    path: str | None = None
    line: int | None = None
    fingerprint: str = ""
    fix: str = ""  # what to do about it, one sentence
    blocking: bool = False  # decided by policy.decide, never by the check
    enforced: bool = False  # the policy itself demands a block (zone `block`, required review, ...)
    line_ignores: tuple[str, ...] = ()  # rule ids named by an inline `gatekeeper: ignore[...]` on the line
    # Why the check itself judged this match not to be a live secret (a placeholder value, a file the
    # policy calls documentation): policy.decide records it under `suppressed` with this reason.
    suppressed_by: str = ""
    # On lines an agent wrote (policy `ai.scan`): "attribution" (git-ai / Agent Trace line records), "file"
    # (attributed lines that cannot be placed at the scanned head: the file's added lines count), "commit"
    # (an AI-involved commit without line records: all its added lines count). None: not AI-written.
    ai_basis: str | None = None

    @property
    def category(self) -> str:
        return self.rule_id.split("/", 1)[0]

    def with_fingerprint(self, *material: str) -> Finding:
        """A content-based fingerprint: rule + what was found, not where (a moved line keeps it).

        Keyed (HMAC) when GATEKEEPER_FINGERPRINT_KEY is set: the material is often the flagged line of
        code itself, and a plain hash of it would let a report's reader test password guesses."""
        return dataclasses.replace(self, fingerprint=digest_parts(self.rule_id, *material)[:32])


@dataclass(frozen=True, slots=True)
class BypassClaim:
    """A break-glass request as a door received it: the options the pusher typed (`git push -o ...`) and
    who the server authenticated as pushing (None: unknown). Only policy.decide grants it."""

    options: tuple[str, ...]
    login: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class Suppressed:
    finding: Finding
    reason: str  # "ignore: fixtures (until 2027-06-30)", "baseline", "inline"


@dataclass(frozen=True, slots=True)
class SignatureInfo:
    status: SignatureStatus = SignatureStatus.UNSIGNED
    format: str | None = None  # "ssh", "openpgp", "x509"
    signer: str | None = None  # principal / uid
    key: str | None = None  # key fingerprint
    device_id: str | None = None
    detail: str = ""
    forge: str | None = None  # "github" / "gitlab": the forge's own key signed it (a forge-made commit)
    logins: tuple[str, ...] = ()  # the signing device owner's forge logins, from the device registry (red150)


@dataclass(frozen=True, slots=True)
class ReviewEvidence:
    """A sign in the history that a commit was reviewed, and how far it can be believed.

    Evidence is not an approval: `ReviewInfo.status` alone says whether the policy's review rule is met
    (trailers count there only when verifiable, DESIGN §5). Evidence is what an audit or a reviewer can
    follow up: a Gerrit change, a forge pull request, a Reviewed-by line.
    """

    source: str  # "gerrit", "forge/pr-merge", "trailer/reviewed-by", "trailer/acked-by"
    detail: str
    trust: Trust
    pr: int | None = None  # forge pull/merge request number
    reviewer: str | None = None  # as the trailer names them
    url: str | None = None  # Gerrit's Reviewed-on


@dataclass(frozen=True, slots=True)
class ReviewInfo:
    status: ReviewStatus = ReviewStatus.UNKNOWN
    approvers: tuple[str, ...] = ()
    source: str = "none"
    detail: str = ""
    evidence: tuple[ReviewEvidence, ...] = ()  # from the history, whatever the status


@dataclass(frozen=True, slots=True)
class CommitReport:
    """Everything the gate concluded about one commit."""

    commit: Commit
    origin: Origin
    mobile: bool  # the origin's device class is one of the policy's mobile_classes
    ruleset: str  # which rule set of the policy applied: "mobile", "default" or a device class
    signature: SignatureInfo = field(default_factory=SignatureInfo)
    review: ReviewInfo = field(default_factory=ReviewInfo)
    refs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ScannerStat:
    ran: bool
    ms: int = 0
    error: str | None = None
    files: int = 0
    detail: str | None = None  # what ran and how (engine mode, cache hits), when there is something to say


@dataclass(frozen=True, slots=True)
class Stats:
    commits: int = 0
    files_scanned: int = 0
    duration_ms: int = 0
    scanners: tuple[tuple[str, ScannerStat], ...] = ()


@dataclass(frozen=True, slots=True)
class Verdict:
    decision: Decision
    updates: tuple[RefUpdate, ...]
    commits: tuple[CommitReport, ...]
    findings: tuple[Finding, ...]
    suppressed: tuple[Suppressed, ...]
    stats: Stats
    mode: str = "local"
    range_description: str = ""
    policy_source: str = "built-in default"

    @property
    def blocking(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.blocking)

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.BLOCKED if self.decision is Decision.BLOCK else ExitCode.OK
