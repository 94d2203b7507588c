"""`gatekeeper tag`: add the DESIGN §3 origin trailers to the last commit, or to a message being written.

For clients that can run a command (Termux, a-Shell, iSH, CI bots): `gatekeeper tag` amends HEAD's
message, and `gatekeeper tag --hook FILE` is the prepare-commit-msg hook form. Both are idempotent:
a commit that already carries every trailer with the same value is left alone (same commit id, its
signature intact), and a key that is already there with another value is replaced in place, keeping
the trailer order (keys matched exactly and case-insensitively, which `git interpret-trailers` does
not do). Values default to GATEKEEPER_DEVICE / GATEKEEPER_DEVICE_ID / GATEKEEPER_CLIENT /
GATEKEEPER_ASSISTED_BY so a phone is configured once; the device defaults to `mobile`, the stricter
claim, because this command exists for mobile clients. The amend changes only the message (`--only`:
nothing staged is folded in).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from gatekeeper.errors import GitError, UsageError
from gatekeeper.models import DeviceClass
from gatekeeper.modes.install import user_git
from gatekeeper.sanitize import safe
from gatekeeper.trailers import parse_trailers

DEVICE_CLASSES = tuple(c.value for c in DeviceClass if c is not DeviceClass.UNKNOWN)
_VALUE = re.compile(r"\A[^\x00-\x1f\x7f]{1,120}\Z")


@dataclass(frozen=True, slots=True)
class TagResult:
    changed: bool
    trailers: tuple[tuple[str, str], ...]
    old: str | None = None  # HEAD before / after an amend
    new: str | None = None
    warnings: tuple[str, ...] = ()


def resolve_trailers(env: Mapping[str, str], *, device: str | None = None, device_id: str | None = None,
                     client: str | None = None, assisted_by: str | None = None) -> tuple[tuple[str, str], ...]:
    """The trailers to add: options first, then the GATEKEEPER_* environment, device default `mobile`."""
    chosen_device = (device or env.get("GATEKEEPER_DEVICE") or "mobile").strip().lower()
    if chosen_device not in DEVICE_CLASSES:
        raise UsageError(f"unknown device class {safe(chosen_device, limit=40)!r}",
                         f"use one of: {', '.join(DEVICE_CLASSES)}")
    pairs = [("Origin-Device", chosen_device)]
    for key, value, var in (("Origin-Device-Id", device_id, "GATEKEEPER_DEVICE_ID"),
                            ("Origin-Client", client, "GATEKEEPER_CLIENT"),
                            ("Assisted-by", assisted_by, "GATEKEEPER_ASSISTED_BY")):
        text = (value if value is not None else env.get(var, "")).strip()
        if not text:
            continue
        if not _VALUE.match(text):
            raise UsageError(f"{key} value {safe(text, limit=40)!r} has control characters or is too long",
                             "use a short single-line value (at most 120 characters)")
        pairs.append((key, text))
    return tuple(pairs)


_SCISSORS = "------------------------ >8 ------------------------"
_TRAILER_LINE = re.compile(r"\A([A-Za-z0-9-]+)[ \t]*:(.*)\Z", re.DOTALL)


def _merge_block(block: Sequence[str], trailers: Sequence[tuple[str, str]]) -> list[str]:
    """The trailer block with `trailers` set: in place, so an already tagged block comes back unchanged.

    Per requested key (compared exactly, case-insensitively): lines that already carry the wanted value
    stay as they are; otherwise the first line with that key is rewritten in place; every other line with
    that key (another value, declaring a second origin) is dropped with its continuation lines; a key
    not in the block is appended, in the order asked.
    """
    wanted = {key.lower(): (key, value) for key, value in trailers}
    entries: list[tuple[str | None, list[str]]] = []  # (key, its line and continuation lines)
    for line in block:
        if line[:1] in (" ", "\t") and entries:
            entries[-1][1].append(line)
            continue
        match = _TRAILER_LINE.match(line)
        entries.append((match.group(1).lower() if match else None, [line]))

    def value(lines: list[str]) -> str:
        first = _TRAILER_LINE.match(lines[0])
        assert first is not None
        return " ".join(part.strip() for part in (first.group(2), *lines[1:]) if part.strip())

    keep_as_is = {key for key, lines in entries if key in wanted and value(lines) == wanted[key][1]}
    done: set[str] = set()
    out: list[str] = []
    for key, lines in entries:
        if key is None or key not in wanted:
            out.extend(lines)
            continue
        if key in keep_as_is:
            if value(lines) == wanted[key][1]:
                out.extend(lines)
        elif key not in done:
            out.append("{}: {}".format(*wanted[key]))
        done.add(key)
    out.extend(f"{key}: {value_}" for key, value_ in trailers if key.lower() not in done)
    return out


def set_trailers(message: str, trailers: Sequence[tuple[str, str]], comment: str | None = None) -> str:
    """The message with `trailers` set in its trailer block (see _merge_block): a key already there keeps
    its place, and a message that already carries every trailer with the same value is returned as is.

    Pure Python on purpose: `git interpret-trailers` matches keys by prefix, so setting `Origin-Device`
    would replace `Origin-Device-Id`. `comment` (prepare-commit-msg mode) keeps git's trailing comment
    block, and anything from a `git commit -v` scissors line on, after the trailers.
    """
    lines = message.split("\n")
    tail: list[str] = []
    if comment:
        for index, line in enumerate(lines):
            if line.startswith(comment) and _SCISSORS in line:
                lines, tail = lines[:index], lines[index:]
                break
        while lines and (not lines[-1].strip() or lines[-1].startswith(comment)):
            tail.insert(0, lines.pop())
    while lines and not lines[-1].strip():
        lines.pop()
    written = [line for line in lines if line.strip()]
    if not written or (not lines[0].strip() and all(_TRAILER_LINE.match(line) for line in written)):
        # No subject yet (an editor template, or one we tagged before): the first line stays free for it, so
        # the trailers end up in their own paragraph once it is typed.
        body = ["", "", *_merge_block(written, trailers)]
    elif parse_trailers("\n".join(lines)):
        start = len(lines)
        while start > 0 and lines[start - 1].strip():
            start -= 1
        body = [*lines[:start], *_merge_block(lines[start:], trailers)]
    else:
        body = [*lines, "", *(f"{key}: {value}" for key, value in trailers)]
    text = "\n".join(body) + "\n"
    if tail:
        text += "\n".join(tail)
    return text


def _leftovers(message: str, trailers: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    wanted = {k.lower(): v for k, v in trailers}
    found = []
    for t in parse_trailers(message):
        if t.name in wanted and t.value.strip() != wanted[t.name]:
            found.append(f"the message still has `{safe(t.key, limit=40)}: {safe(t.value, limit=60)}`; remove it "
                         "so the commit declares one origin")
    return tuple(found)


def tag_head(repo: Path, trailers: Sequence[tuple[str, str]]) -> TagResult:
    git = user_git(repo)
    git.info()
    head = git.try_resolve("HEAD")
    if head is None:
        raise UsageError("there is no commit to tag yet", "commit first, or install the prepare-commit-msg hook "
                         "(`gatekeeper install --hook prepare-commit-msg`) to tag commits as they are made")
    raw = git.run("cat-file", "commit", head).stdout
    # The message is everything after the header block (signature lines are indented, never empty).
    message = raw.split(b"\n\n", 1)[1].decode("utf-8", "replace") if b"\n\n" in raw else ""
    updated = set_trailers(message, trailers)
    if updated.rstrip("\n") == message.rstrip("\n"):
        return TagResult(False, tuple(trailers), head, head, _leftovers(updated, trailers))
    # Only the message changes: --only keeps anything staged out of the commit, and --no-verify skips
    # pre-commit/commit-msg hooks that would re-check content this command does not touch.
    proc = git.run("commit", "--amend", "--only", "--no-verify", "--cleanup=verbatim", "--allow-empty",
                   "-F", "-", input=updated.encode("utf-8"), check=False)
    if proc.returncode != 0:
        stderr = proc.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"git commit --amend failed: {safe(stderr, limit=300)}",
                       "configure user.name/user.email, or finish the merge/rebase in progress first")
    new = git.resolve("HEAD")
    return TagResult(True, tuple(trailers), head, new, _leftovers(updated, trailers))


def tag_message_file(repo: Path, path: Path, trailers: Sequence[tuple[str, str]]) -> TagResult:
    """prepare-commit-msg: set the trailers in the message file git is about to open or commit."""
    git = user_git(repo)
    try:
        original = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the commit message file {path}: {exc}",
                         "this mode is meant to be called by git's prepare-commit-msg hook") from None
    comment = (git.config_get("core.commentChar") or "#")[:1]
    comment = "#" if comment in ("", "a") else comment  # "auto" picks a free character; '#' is git's default
    updated = set_trailers(original, trailers, comment)
    if updated == original:
        return TagResult(False, tuple(trailers))
    path.write_text(updated, encoding="utf-8")
    return TagResult(True, tuple(trailers), warnings=_leftovers(updated, trailers))
