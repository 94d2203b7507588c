"""The engine's signature source: trusted files in, per-commit signature facts and device facts out.

`ProvenanceSource` implements `interfaces.SignatureSource`. It reads the device registry and the
allowed-signers file through a `reader` the mode supplies — the mode decides where trusted files come
from (local: the file system; pre-receive: the protected ref *before* the push; Action: the base
commit), never from the pushed content — reads every commit object with one `cat-file --batch`, and
verifies each at `now`, the time of the check or push, so revocation and expiry cannot be dodged by
backdating a commit.

It produces what does not depend on a commit's origin: each commit's SignatureInfo and, for a good
signature by an active registered device, the DeviceFact that makes origin detection trust the device
class. Which findings a signature status leads to depends on the commit's rule set, which depends on
its origin, which depends on the signature — so those findings are made afterwards by
`checks/provenance.py`, from `CommitReport.signature`. `classify` (here, next to the statuses it reads)
is the single mapping from a SignatureInfo to a finding id.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import posixpath
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from gatekeeper import catalogue
from gatekeeper.config import Policy
from gatekeeper.errors import ConfigError
from gatekeeper.git import Git, is_zero, stored_object
from gatekeeper.lazy_regex import lazy
from gatekeeper.models import Commit, Finding, SignatureInfo, SignatureStatus
from gatekeeper.origin.base import DeviceFact
from gatekeeper.provenance.allowed_signers import AllowedSigner, read_allowed_signers

if TYPE_CHECKING:
    # The verifiers (sshsig, cryptography, the shipped forge keys) and the device registry's parser load
    # when a commit is signed or the policy names a registry: most audited and pushed commits are neither.
    # The interfaces (the engine's seams) load with the first result: the audit only needs this module's
    # readers until a window holds a signed commit.
    from gatekeeper.interfaces import SignatureResult
    from gatekeeper.provenance.devices import DeviceRegistry
    from gatekeeper.provenance.openpgp import ForgeKeys
    from gatekeeper.provenance.signatures import OpenPGPVerifier, Runner

Reader = Callable[[Path], str | None]
"""`read(path) -> text`, or None when the trusted file does not exist."""

MAX_CONFIG_BYTES = 1024 * 1024  # a trusted configuration file read from a revision
MAX_COMMIT_BYTES = 16 * 1024 * 1024  # a bigger commit object is not verified (ERROR), never read into memory

_S = SignatureStatus

# Finding ids, by what went wrong. The statuses a rule set can tolerate when it does not ask for
# signatures are reported only where it does (see checks/provenance.py).
UNSIGNED = "provenance/unsigned"
BAD = "provenance/bad-signature"
UNTRUSTED = "provenance/untrusted-key"
REVOKED = "provenance/revoked-key"
EXPIRED = "provenance/expired-key"
UNREGISTERED = "provenance/unregistered-device"
SIGNER_MISMATCH = "provenance/signer-mismatch"
UNSUPPORTED = "provenance/unsupported-signature"
ERROR = "provenance/signature-error"
DCO_MISSING = "provenance/dco-missing"
SKIPPED_SIGNER = "provenance/allowed-signer-skipped"
KEYRING_MISSING = "provenance/keyring-missing"
AMBIGUOUS_IDENTITY = "provenance/ambiguous-identity"
ALWAYS_REPORTED = (BAD, REVOKED, EXPIRED, UNSUPPORTED, ERROR)


# -- readers of trusted files ----------------------------------------------------------------------------

def filesystem_reader(path: Path) -> str | None:
    """The local mode's reader: the file as it is on disk (advisory, like the work tree's policy)."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}", "make the file readable UTF-8 text") from None


def git_reader(git: Git, rev: str, root: Path | None) -> Reader:
    """A reader of files as they are at `rev` in the object store (never the work tree, never pushed objects).

    Policy paths are resolved against the policy file's directory; `root` is the directory that stands for
    the repository root in those paths (the work tree, or whatever base the mode parsed the policy with;
    None when the policy's paths were left relative). A path outside the repository is a ConfigError.
    A zero `rev` (the ref did not exist before the push) has no files.
    """

    # One way to read trusted files (read_text below): symlinks refused, size capped, path validated.
    def read(path: Path) -> str | None:
        relative = repository_path(path, root)
        if is_zero(rev):
            return None
        return read_text(git, rev, relative, "a trusted file")

    return read


def repository_path(path: Path, root: Path | None) -> str:
    """`path` as a `rev:path` path relative to the repository root; ConfigError when it escapes it."""
    if path.is_absolute():
        if root is None:
            raise ConfigError(f"{path}: an absolute path cannot be read from the repository",
                              "use a path relative to the policy file in the repository")
        try:
            path = path.relative_to(root)
        except ValueError:
            raise ConfigError(f"{path}: outside the repository {root}, so it cannot be read from a commit",
                              "keep the device registry and allowed signers inside the repository") from None
    text = posixpath.normpath(PurePosixPath(path).as_posix())
    if text in (".", "") or text == ".." or text.startswith("../") or any(ord(c) < 32 for c in text):
        raise ConfigError(f"{path}: not a file inside the repository",
                          "keep the device registry and allowed signers inside the repository")
    return text


def repo_relative(value: str, what: str) -> str:
    """A repository-relative path, normalised; ConfigError for absolute paths, `..` escapes or controls."""
    text = posixpath.normpath(PurePosixPath(value.replace("\\", "/")).as_posix()) if value else ""
    if (not text or text in (".", "..") or text.startswith(("../", "/")) or value.startswith("/")
            or any(ord(c) < 32 for c in text)):
        raise ConfigError(f"{what} {value!r} is not a path inside the repository",
                          "name a repository-relative path such as .gatekeeper.yml")
    return text


def read_file(git: Git, rev: str, path: str, what: str) -> bytes | None:
    """`path` at `rev` from the object store: None when absent; ConfigError for a symlink, a directory,
    a submodule or more than MAX_CONFIG_BYTES (links are never followed)."""
    if is_zero(rev):
        return None
    relative = repo_relative(path, what)
    entries = [e for e in git.tree_entries(rev, relative) if e.path == relative]
    if not entries:
        return None
    entry = entries[0]
    if entry.mode == "120000" or entry.type != "blob":
        kind = "symlink" if entry.mode == "120000" else entry.type
        raise ConfigError(f"{relative} at {rev[:12]}: {what} is a {kind}, not a file",
                          "commit the file itself; gatekeeper does not follow links")
    _kind, data = git.read_objects([entry.sha], max_size=MAX_CONFIG_BYTES)[entry.sha]
    if data is None:
        raise ConfigError(f"{relative} at {rev[:12]}: {what} is larger than {MAX_CONFIG_BYTES} bytes", "shrink it")
    return data


def read_text(git: Git, rev: str, path: str, what: str) -> str | None:
    data = read_file(git, rev, path, what)
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path} at {rev[:12]}: {what} is not UTF-8 text", "fix the file's encoding") from None


# -- trust material -------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True, slots=True)
class TrustMaterial:
    registry: DeviceRegistry | None
    signers: tuple[AllowedSigner, ...]
    warnings: tuple[str, ...]
    signers_source: str  # the file the signers came from, or "generated from <registry>"


def load_trust(policy: Policy, reader: Reader) -> TrustMaterial:
    """The registry and allowed signers the policy names, read through `reader`; ConfigError when broken.

    Without an `allowed_signers:` key but with a registry, the signers are generated from the registry
    (its active SSH keys, principal = owner), so enrolling a device is all it takes.
    """
    from gatekeeper.provenance.devices import allowed_signers_text, parse_registry

    registry: DeviceRegistry | None = None
    if policy.devices is not None:
        text = reader(policy.devices)
        if text is None:
            raise ConfigError(f"{policy.devices}: device registry not found (named by `devices:` in {policy.source})",
                              "enrol a device (`gatekeeper device enroll ...` creates the file) or remove the "
                              "`devices:` key from the policy")
        registry = parse_registry(text, str(policy.devices))
    if policy.allowed_signers is not None:
        text = reader(policy.allowed_signers)
        if text is None:
            raise ConfigError(f"{policy.allowed_signers}: allowed signers file not found (named by "
                              f"`allowed_signers:` in {policy.source})",
                              "`gatekeeper device enroll` writes it, or remove the `allowed_signers:` key to "
                              "derive it from the device registry")
        parsed = read_allowed_signers(text, str(policy.allowed_signers))
        return TrustMaterial(registry, parsed.signers, parsed.warnings, str(policy.allowed_signers))
    if registry is not None:
        source = f"generated from {policy.devices}"
        parsed = read_allowed_signers(allowed_signers_text(registry), source)
        return TrustMaterial(registry, parsed.signers, parsed.warnings, source)
    return TrustMaterial(None, (), (), "none")


# -- the source -----------------------------------------------------------------------------------------------

class ProvenanceSource:
    """SignatureSource: verifies every new commit's signature against the mode's trusted files."""

    id = "provenance"

    def __init__(self, reader: Reader, *, gpg_runner: Runner | None = None, gpg_program: str = "gpg",
                 forge_keys: ForgeKeys | None = None, forge_history: bool = False) -> None:
        self.reader = reader
        self.gpg_runner = gpg_runner
        self.gpg_program = gpg_program
        self.forge_keys = forge_keys  # None: the keys shipped in gatekeeper/keys
        # The audit of a landed history: a forge key's signature made while the key was valid stays GOOD after
        # the key expired (signatures.verify_commit); every gate judges the key at `now`.
        self.forge_history = forge_history

    def verify(self, git: Git, commits: Sequence[Commit], policy: Policy, now: dt.datetime) -> SignatureResult:
        trust = load_trust(policy, self.reader)
        gpg = self._gpg(policy)
        forge: ForgeKeys | None = None  # the shipped keys are parsed only once a signed commit needs them
        forge_gpg = _LazyForgeGpg(self.gpg_runner, self.gpg_program)
        unchecked: list[str] = []
        objects = git.read_objects((c.sha for c in commits), max_size=MAX_COMMIT_BYTES)
        signatures: dict[str, SignatureInfo] = {}
        devices: dict[str, DeviceFact] = {}
        ambiguous: list[Finding] = []
        # git's own reading of the commits that declare an encoding, for identity_doubt (one call; most pushes
        # have none).
        decoded = git.decoded_records([c.sha for c in commits if _has_encoding_header(objects.get(c.sha))])
        for commit in commits:
            kind, raw = objects.get(commit.sha, ("missing", None))
            if kind != "commit" or raw is None:
                problem = ("the commit object is larger than gatekeeper verifies" if kind == "commit"
                           else f"the commit object could not be read ({kind})")
                signatures[commit.sha] = SignatureInfo(_S.ERROR, detail=problem)
                continue
            doubt = identity_doubt(raw, commit, decoded.get(commit.sha))
            if doubt is not None:
                ambiguous.append(catalogue.rule(AMBIGUOUS_IDENTITY).finding(
                    f"{commit.sha[:12]}: {doubt}", commit=commit.sha,
                    fix="re-create the commit with git itself (one author and one committer header, no encoding that "
                        "changes them): `git commit --amend --reset-author` or a fresh `git commit`",
                ).with_fingerprint(commit.sha))
            if not _has_signature_header(raw):
                signatures[commit.sha] = _UNSIGNED  # most commits: skip the full parse
                continue
            if forge is None:  # the first signed commit
                from gatekeeper.provenance.openpgp import bundled_forge_keys
                from gatekeeper.provenance.signatures import NO_KEYRING, verify_commit

                shipped = self.forge_keys if self.forge_keys is not None else bundled_forge_keys()
                forge = _allowed_forges(shipped, policy.forge_signatures)
            info = verify_commit(raw, signers=trust.signers, now=now, registry=trust.registry, gpg=gpg,
                                 forge=forge, forge_gpg=forge_gpg, forge_history=self.forge_history)
            if info.format == "openpgp" and info.detail.endswith(NO_KEYRING):
                # Never checked: the issuer it names is the signature's claim, which anyone can write (the
                # registry's fingerprints are public), not a key that verified anything (red128b).
                unchecked.append(commit.sha)
                signatures[commit.sha] = info
                continue
            info = _openpgp_trust(info, trust.registry, now)
            fact = _device_fact(info, trust.registry)
            if fact is not None:
                devices[commit.sha] = fact
                # The registry says who owns the key; that owner is who the signature binds to.
                info = dataclasses.replace(info, signer=fact.owner)
            signatures[commit.sha] = info
        findings = tuple(ambiguous) + tuple(
            catalogue.rule(SKIPPED_SIGNER).finding(
                warning, fix="list the signer's own key instead of a certificate authority").with_fingerprint(warning)
            for warning in trust.warnings)
        if unchecked:
            # One configuration note for the run, not an error on every commit.
            findings += (catalogue.rule(KEYRING_MISSING).finding(
                f"{len(unchecked)} OpenPGP-signed commit(s) were not checked: the policy names no GnuPG keyring "
                "(forge signatures, GitHub web-flow and GitLab, are checked with the keys gatekeeper ships)",
                commit=unchecked[-1],
                fix="set `gpg_home:` in the policy to a keyring the policy owners control, holding the signers' "
                    "public keys").with_fingerprint(KEYRING_MISSING),)
        if forge_gpg.failed:
            findings += (catalogue.rule(KEYRING_MISSING).finding(
                f"{forge_gpg.failed} forge-signed commit(s) could not be checked: gpg could not load the shipped "
                "forge keys", fix="install GnuPG (gpg) on this machine").with_fingerprint(KEYRING_MISSING, "forge"),)
        from gatekeeper.interfaces import SignatureResult

        return SignatureResult(signatures=signatures, devices=devices, findings=findings)

    def _gpg(self, policy: Policy) -> OpenPGPVerifier | None:
        # Without a keyring named by the policy OpenPGP signatures stay unverified (never the user's own
        # keyring: what it trusts is not what the policy owners trust). A runner passed in means the
        # caller chose the keyring setup itself.
        if policy.gpg_home is None and self.gpg_runner is None:
            return None
        from gatekeeper.provenance.gpg import run_process
        from gatekeeper.provenance.signatures import openpgp_verifier

        return openpgp_verifier(self.gpg_runner or run_process, policy.gpg_home, gpg_program=self.gpg_program)


def _allowed_forges(keys: ForgeKeys, forges: Sequence[str]) -> ForgeKeys:
    """Only the forges the policy trusts (`forge_signatures`); a GHES or self-managed GitLab may want none."""
    from gatekeeper.provenance.openpgp import ForgeKeys

    return ForgeKeys(tuple(k for k in keys.openpgp if k.forge in forges),
                     tuple(k for k in keys.ssh if k.forge in forges))


class _LazyForgeGpg:
    """gpg over a private keyring of the shipped forge keys, made only when a forge signature needs it
    (the in-process verifier handles every web-flow signature seen on real histories)."""

    def __init__(self, run: Runner | None, gpg_program: str) -> None:
        self.run = run
        self.gpg_program = gpg_program
        self.failed = 0

    def __call__(self, signature: bytes, payload: bytes) -> SignatureInfo:
        from gatekeeper.provenance.gpg import forge_gnupghome, run_process
        from gatekeeper.provenance.signatures import openpgp_verifier

        home = forge_gnupghome(self.gpg_program)
        if home is None:
            self.failed += 1
            return SignatureInfo(_S.ERROR, "openpgp", detail="gpg could not load the shipped forge keys")
        return openpgp_verifier(self.run or run_process, home, gpg_program=self.gpg_program)(signature, payload)


_UNSIGNED = SignatureInfo(_S.UNSIGNED, detail="the commit has no signature")


NUL_DOUBT = "the commit object holds a NUL byte (git reads its message only up to it)"


def identity_doubt(raw: bytes, commit: Commit, decoded: bytes | None = None) -> str | None:
    """Why the commit the gate read (git's `%an %ae %at %cn %ce %ct %B`) may not be the one the object stores, or
    None. git reads the LAST `author`/`committer` header, reads a message only up to a NUL byte, and reads both
    only after re-encoding the whole object from its declared `encoding`; `git cat-file`, fsck, libgit2 and forges
    read the stored bytes. A second header (red74), an encoding such as UTF-7 that turns a harmless header into an
    `author` line with another name or e-mail (red74, red75), or one that decodes to a NUL and cuts a stored
    trailer off the message git reads (red75), gave the gate's checks a commit no other tool shows. git itself
    never writes such an object (but for one in a stateful 7-bit encoding, ISO-2022, when configured to: red83):
    it is judged as no one's.

    `decoded`: for a commit with an `encoding` header, its record as git reads it (Git.decoded_records: the whole
    object re-encoded by git itself, with iconv; no codec of Python's — red76: Python and iconv read Windows-31J,
    Shift_JIS's `~` and `\\`, Big5, GBK and GB18030 differently). The two must have the same lines, and each
    line the same ASCII up to its first other character (`same_skeleton`): an encoding that keeps ASCII as it is
    — every one teams use — changes none of it; one that does not (UTF-7 making a scissors line, a blank line or
    a sign-off out of `+ACM-`, `+ACA-`, `+AC0-`; EBCDIC rewriting every byte, so that git reads headers and a
    message hidden in another header: red78) changes some. Without `decoded` such a commit is doubted."""
    end = raw.find(b"\n\n")
    head = raw if end < 0 else raw[:end]
    if b"\0" in raw:
        return NUL_DOUBT
    stored: dict[bytes, list[bytes]] = {b"author": [], b"committer": []}
    encoded = False
    for line in head.split(b"\n"):
        key, space, value = line.partition(b" ")
        if key in stored and space:  # (git reads a header by its name and a space: a bare `author` line is none)
            stored[key].append(value)
        elif key == b"encoding":
            encoded = True
    for key, person, when in ((b"author", commit.author, commit.author_time),
                              (b"committer", commit.committer, commit.commit_time)):
        found = stored[key]
        label = key.decode()
        if len(found) > 1:
            return (f"the commit object holds {len(found)} {label} headers (git reads the last, `git cat-file`, "
                    "fsck and forges the first)")
        if not found:
            continue
        ident = found[0]
        start, close = ident.find(b"<"), ident.rfind(b">")
        if start != ident.rfind(b"<") or (start >= 0 and ident.find(b">", start) != close):
            # git reads the name up to the first `<` and the e-mail from there to the first `>` after it; libgit2
            # (and the forges and clients built on it) from the last `<` to the last `>` (red79, red82).
            return (f"the commit object's {label} holds another `<` or `>` around its e-mail (git reads one "
                    "person from it, libgit2 and forges another)")
        if not 0 <= start < close:
            continue  # no e-mail to compare (git reads none either)
        email, stamp = ident[start + 1 : close], ident[close + 1 :].split()[:1]
        read = person.email.replace("\u00a5", "\\").replace("\u203e", "~") if encoded else person.email
        same = not email.isascii() or email.decode().strip().lower() == read.strip().lower()  # (Shift_JIS: red84)
        if not same or (stamp and stamp[0].isdigit() and int(stamp[0]) != when):
            return (f"the {label} git reads ({person.name[:60]!r} <{person.email[:80]}>) is not the one the commit "
                    "object stores" + (" (its declared encoding rewrites the headers)" if encoded else ""))
    if not encoded:
        return None
    if decoded is None:
        return "the commit declares an encoding, and git's own reading of it could not be compared with the object"
    git_object = stored_object(decoded)
    if shifts_consumed(raw, git_object):
        return ("its declared encoding is a stateful 7-bit one (ISO-2022: after ESC, SO or SI git reads ASCII bytes as "
                "other characters, which `git cat-file` and tools that ignore the header show as they are), so what "
                "git reads cannot be held to what the object shows: re-create the commit in UTF-8")
    where = same_skeleton(raw, git_object)
    if where is not None:
        return (f"its declared encoding makes git read {where} other than the one the commit object stores (git "
                "re-encodes the whole object; `git cat-file` and forges show it as stored)")
    return None


def _has_encoding_header(found: tuple[str, bytes | None] | None) -> bool:
    if found is None or found[1] is None:
        return False
    raw = found[1]
    cut = raw.find(b"\n\n")
    return b"\nencoding" in (raw if cut < 0 else raw[:cut])


# The bytes compared as they are: printable ASCII, tab and CR (a CR is no place to stop comparing: red80). Other
# control bytes are compared where git's decoding kept them (a Latin-1 message's terminal colour codes) and end
# the comparison where it read them as letters (VISCII stores Ỵ at 0x1E: red83).
_PLAIN_RUN = lazy(rb"[\t\r\x20-\x7f]*")
# What iconv's Shift_JIS makes of `\\` and `~` (U+00A5, U+203E), in UTF-8: the same characters to a reader.
_SHIFT_JIS_ASCII = {ord("\\"): b"\xc2\xa5", ord("~"): b"\xe2\x80\xbe"}
_SHIFT_JIS_STOPS = lazy(rb"[\\~]")
_SHIFTS = (b"\x1b", b"\x0e", b"\x0f")  # ESC, SO, SI


def shifts_consumed(stored: bytes, decoded: bytes) -> bool:
    """Whether git's decoding took ESC, SO or SI bytes out: a stateful 7-bit encoding (the ISO-2022 family), in
    which ASCII bytes after a shift are other characters — a stored `x<noreply@anthropic.com>` between SO and SI
    is Korean to git (red83). Byte for byte, such text cannot be told from the encoding's ordinary use."""
    return any(decoded.count(shift) < stored.count(shift) for shift in _SHIFTS)


def same_skeleton(stored: bytes, decoded: bytes) -> str | None:
    """None when the object as git decodes it (`decoded`, as stored_object gives it back from git's record) has
    the lines the stored one has, each the same up to its first byte an ASCII-keeping encoding may read as
    something else (_same_line); else which line differs ("a header", "the message (line N)"). The first
    `encoding` header is left out on both sides (git drops it once it re-encodes), and the message compared as
    git prints it: without trailing whitespace on a line or leading and trailing blank lines."""
    ours, theirs = _skeleton_lines(stored), _skeleton_lines(decoded)
    heads = ours[0]
    if len(ours[0]) != len(theirs[0]) or len(ours[1]) != len(theirs[1]):
        return "another number of header or message lines"
    for at, (mine, git) in enumerate(zip((*ours[0], *ours[1]), (*theirs[0], *theirs[1]), strict=True)):
        if mine != git and not _same_line(mine, git):
            return "a header" if at < len(heads) else f"the message (line {at - len(heads) + 1})"
    return None


def _same_line(stored: bytes, decoded: bytes) -> bool:
    """Whether git's decoding of a line (UTF-8) is the stored line up to the stored line's first byte outside
    ASCII — or first control byte (not tab or CR) that git read as a letter — and goes on, as it does, with
    something other than ASCII: a line that is ASCII to its end is the same to its end. A `\\` or `~` may come
    back as Shift_JIS's yen sign or overline, and the last letter before the first byte outside ASCII may have
    been composed with the mark it stores (CP1258 stores `ạ` as `a` and a combining dot: red80)."""
    at = to = 0  # in stored, in decoded
    while True:
        plain = _PLAIN_RUN.match(stored, at).end()  # type: ignore[union-attr]
        run = stored[at:plain]
        end = _starts_with(decoded, run, to)
        if end is None:
            return _composed(stored, decoded, at, plain, to)
        at, to = plain, end
        if at == len(stored):
            return to == len(decoded)
        if stored[at] < 0x80 and decoded[to : to + 1] == stored[at : at + 1]:
            at, to = at + 1, to + 1  # a control byte git kept as it is
            continue
        return to < len(decoded) and decoded[to] >= 0x80


def _composed(stored: bytes, decoded: bytes, at: int, plain: int, to: int) -> bool:
    """The composed case: git's line holds the run but its last letter, then one character that letter begins,
    where the stored line goes on with a byte outside ASCII (the mark)."""
    run = stored[at:plain]
    if plain == len(stored) or stored[plain] < 0x80 or not run or not run[-1:].isalpha():
        return False
    end = _starts_with(decoded, run[:-1], to)
    if end is None:
        return False
    following = decoded[end : end + 4].decode("utf-8", "ignore")[:1]
    return bool(following) and not following.isascii() and (
        unicodedata.normalize("NFD", following)[:1] == run[-1:].decode())


def _starts_with(decoded: bytes, run: bytes, to: int = 0) -> int | None:
    """Where `run` ends in `decoded` when `decoded` has it at `to` (a `\\` or `~` of it also as Shift_JIS's
    yen sign or overline), else None. Linear in the line (red82: a regex compiled per line took 25 s a MB)."""
    if decoded.startswith(run, to):
        return to + len(run)
    at = 0  # in run
    for stop in _SHIFT_JIS_STOPS.finditer(run):
        piece = run[at : stop.start()]
        if not decoded.startswith(piece, to):
            return None
        to += len(piece)
        byte = run[stop.start()]
        wide = _SHIFT_JIS_ASCII[byte]
        if decoded.startswith(bytes((byte,)), to):
            to += 1
        elif decoded.startswith(wide, to):
            to += len(wide)
        else:
            return None
        at = stop.end()
    piece = run[at:]
    return to + len(piece) if decoded.startswith(piece, to) else None


def _skeleton_lines(obj: bytes) -> tuple[list[bytes], list[bytes]]:
    cut = obj.find(b"\n\n")
    head, body = (obj, b"") if cut < 0 else (obj[:cut], obj[cut + 2 :])
    heads = head.rstrip(b"\n").split(b"\n")
    for at, line in enumerate(heads):
        if line.startswith(b"encoding ") or line == b"encoding":
            del heads[at]
            break
    message = [line.rstrip(b" \t\r") for line in body.split(b"\n")]  # (git's whitespace: no \v, no \f)
    while message and not message[-1]:
        message.pop()
    first = 0
    while first < len(message) and not message[first]:
        first += 1  # (nor leading blank lines: red82)
    return heads, message[first:]


def _has_signature_header(raw: bytes) -> bool:
    """Whether the object's header has any `gpgsig*` line (what split_signature would cut out)."""
    end = raw.find(b"\n\n")
    head = raw if end < 0 else raw[:end]
    return b"\ngpgsig" in head


def _openpgp_trust(info: SignatureInfo, registry: DeviceRegistry | None, now: dt.datetime) -> SignatureInfo:
    """Whenever the policy has a device registry, it alone decides which OpenPGP keys are trusted.

    gpg checks the signature with the keyring's public keys; whom to trust is the registry's call, read
    from the mode's trusted source like the allowed signers are for SSH. The keyring's own owner trust
    (a binary trustdb that no reader can fetch from a base commit) counts only for a policy without a
    registry — then `gpg_home` must be a directory the policy owners control, never one inside the change
    being judged. Revocation was applied by verify_commit already; expiry is applied here, at `now`.
    """
    if (registry is None or info.format != "openpgp" or info.key is None or info.forge is not None
            or info.status not in (_S.GOOD, _S.UNTRUSTED)):
        return info
    from gatekeeper.provenance.signatures import NO_KEYRING  # (loaded by now: it verified the signature)

    if info.detail.endswith(NO_KEYRING):
        return info  # an unchecked signature's key is only the issuer it claims (red128b)
    device = registry.by_fingerprint(info.key)
    if device is None:
        if info.status is _S.GOOD:
            return dataclasses.replace(info, status=_S.UNTRUSTED, detail=(
                f"valid OpenPGP signature, but key {info.key} is not enrolled in the device registry (with a "
                "registry, only enrolled OpenPGP keys are trusted, whatever the keyring's owner trust)"))
        return info
    if registry.is_revoked(device, now):
        return info
    if registry.is_expired(device, now):
        return dataclasses.replace(info, status=_S.EXPIRED, detail=f"device {device.id!r} expired on {device.expires}")
    return dataclasses.replace(info, status=_S.GOOD, detail="")


def _device_fact(info: SignatureInfo, registry: DeviceRegistry | None) -> DeviceFact | None:
    # Expired and revoked keys still verified cryptographically: the commit was made on that device,
    # so its class applies (a revoked phone's commit is a mobile commit) even though the key is not trusted.
    if registry is None or info.status not in (_S.GOOD, _S.EXPIRED, _S.REVOKED) or info.key is None:
        return None
    device = registry.by_fingerprint(info.key)
    if device is None:
        return None
    return DeviceFact(device.id, device.device_class, device.managed, device.owner, key_status=info.status.value)


# -- from a signature to a finding ----------------------------------------------------------------------------

def classify(info: SignatureInfo) -> str | None:
    """The finding id a signature status leads to (None for GOOD).

    ERROR covers several causes; the ones that mean "we do not know this key" (no keyring configured, key
    not in the keyring) count as untrusted, formats and key types we cannot check as unsupported.
    """
    status = info.status
    if status is _S.GOOD:
        return None
    if status is _S.UNSIGNED:
        return UNSIGNED
    if status is _S.BAD:
        return BAD
    if status is _S.UNTRUSTED:
        return UNTRUSTED
    if status is _S.REVOKED:
        return REVOKED
    if status is _S.EXPIRED:
        return EXPIRED
    # ERROR
    if info.format == "x509":
        return UNSUPPORTED
    if info.format == "ssh":
        return UNSUPPORTED  # verify_ssh's only ERROR: a key type or size it cannot check (sk-*, dss, ...)
    if info.format == "openpgp" and ("no GnuPG keyring" in info.detail or "no public key" in info.detail
                                     or "could not load the shipped forge keys" in info.detail):
        return UNTRUSTED
    return ERROR


def bound_identity(signer: str | None, *, openpgp: bool = False) -> tuple[str, ...]:
    """The identities a signer field names, lower-cased: SSH principals (comma-separated, may be patterns),
    or (`openpgp`, or a `Name <email>` signer) the mailbox of an OpenPGP user id — the one GnuPG reads (and a
    certifier checks): the text of its only `<…>`, or the whole user id when it is a bare address. A user id
    with more than one `<` or `>`, or none and not a bare address, names none (red42: `Mallory <mallory@…>
    <bob@…>` is Mallory's mailbox to gpg, and was bound to bob@ by taking the last; red44: `bob@…, Mallory`
    was split like SSH principals). A mailbox is an address, never a pattern (see `literal_identity`)."""
    if not signer:
        return ()
    if openpgp or ("<" in signer and signer.rstrip().endswith(">")):
        mailbox = _mailbox(signer)
        return (mailbox,) if mailbox else ()
    return tuple(p.strip().lower() for p in signer.split(",") if p.strip())


def _mailbox(uid: str) -> str | None:
    if "<" in uid or ">" in uid:
        if uid.count("<") != 1 or uid.count(">") != 1 or uid.index("<") > uid.index(">"):
            return None
        address = uid[uid.index("<") + 1 : uid.index(">")].strip()
    else:
        address = uid.strip()
    if address.count("@") != 1 or any(c.isspace() or c == "," for c in address) or address[0] == "@" \
            or address[-1] == "@":
        return None
    return address.lower()


def literal_identity(info: SignatureInfo) -> bool:
    """Whether the signer's identities are addresses compared as written (an OpenPGP user id's mailbox, which
    GnuPG reads literally: `<*@example.com>` is no wildcard — red44) rather than allowed-signers principals,
    which their file's format makes patterns."""
    return info.format == "openpgp"
