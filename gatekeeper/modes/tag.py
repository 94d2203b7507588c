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
from gatekeeper.git import Workdir
from gatekeeper.lazy_regex import lazy
from gatekeeper.models import DEVICE_CLASSES
from gatekeeper.modes.install import user_git
from gatekeeper.sanitize import safe
from gatekeeper.trailers import WHITESPACE, parse_trailers, trailer_block

_VALUE = lazy(r"\A[^\x00-\x1f\x7f]{1,120}\Z")


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


_SCISSORS = " ------------------------ >8 ------------------------"
_COMMENT_CANDIDATES = "#;@!$%^&|:"  # what core.commentChar=auto picks from (builtin/commit.c)
_TRAILER_LINE = lazy(r"\A([A-Za-z0-9-]+)[ \t]*:(.*)\Z", re.DOTALL)


def _blank(line: str) -> bool:
    return not line.strip(WHITESPACE)


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

    Where the block is comes from git's own rules (gatekeeper.trailers.trailer_block, with `#`, which is
    how `git log` on the server reads the commit): an existing block gets the trailers in place; otherwise
    they become a new final paragraph, before a trailing run of comment lines, empty lines or an old
    `Conflicts:` block — where `git commit -s` / `--trailer` put theirs — and before a scissors line. Under
    every cleanup mode (`strip` drops the comment lines, `whitespace`/`verbatim` keep them and git skips
    them when it reads trailers) the stored commit then carries the trailers, and git and gatekeeper read
    the same ones. With another local `comment` character (prepare-commit-msg mode; `auto` means any of
    git's candidates) a trailing line that is a comment to one reader and text to the other goes before
    the trailers, so the committer's `git log` and the server agree too.

    Pure Python on purpose: `git interpret-trailers` matches keys by prefix, so setting `Origin-Device`
    would replace `Origin-Device-Id`.
    """
    local = tuple(_COMMENT_CANDIDATES) if comment == "auto" else (comment or "#",)
    crlf = "\r\n" in message and message.count("\r\n") == message.count("\n")
    eol = "\r\n" if crlf else "\n"
    lines = (message.replace("\r\n", "\n") if crlf else message).split("\n")
    terminated = lines[-1] == ""
    if terminated:
        lines.pop()
    original = list(lines)
    tail: list[str] = []
    scissors = {char + _SCISSORS for char in ("#", *local)}
    for index, line in enumerate(lines):
        if line in scissors:
            lines, tail = lines[:index], lines[index:]
            break

    def is_comment(line: str) -> bool:
        return line.startswith(("#", *local))

    first = 0
    while first < len(lines) and _blank(lines[first]):
        first += 1
    written = [index for index, line in enumerate(lines) if not _blank(line) and not is_comment(line)]
    new = [f"{key}: {value}" for key, value in trailers]
    if not written or (first and all(_TRAILER_LINE.match(lines[i]) for i in written)):
        # No subject yet (an editor template, or one we tagged before): the first line stays free for it, so
        # the trailers end up in their own paragraph once it is typed.
        after = lines[written[-1] + 1:] if written else lines
        while after and _blank(after[0]):
            after = after[1:]
        body = ["", "", *_merge_block([lines[i] for i in written], trailers), *(["", *after] if after else [])]
    else:
        start, end = trailer_block(lines[first:], True, "#")
        start, end = start + first, end + first
        # A trailing line that the local comment character does not make a comment (`#42` with
        # commentChar `;`) is text to the committer's git: the trailers must come after it for both to read
        # them, so they start a new paragraph there.
        local_end = max((trailer_block(lines[first:], True, char)[1] + first for char in local if char != "#"),
                        default=end)
        if local_end > end:
            start = end = local_end
        content, after = lines[:end], lines[end:]
        if start < end:
            body = [*content[:start], *_merge_block(content[start:], trailers), *after]
        else:
            while content and _blank(content[-1]):
                content.pop()
            body = [*content, "", *new, *after]
    out = body + tail
    if out == original:
        return message
    return eol.join(out) + eol


def _leftovers(message: str, trailers: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    wanted = {k.lower(): v for k, v in trailers}
    found = []
    for t in parse_trailers(message):
        if t.name in wanted and t.value.strip() != wanted[t.name]:
            found.append(f"the message still has `{safe(t.key, limit=40)}: {safe(t.value, limit=60)}`; remove it "
                         "so the commit declares one origin")
    return tuple(found)


def tag_head(repo: Path, trailers: Sequence[tuple[str, str]]) -> TagResult:
    git = Workdir(repo, user_config=True)  # as the user: their identity and signing config
    git.info()
    head = git.try_resolve("HEAD")
    if head is None:
        raise UsageError("there is no commit to tag yet", "commit first, or install the prepare-commit-msg hook "
                         "(`gatekeeper install --hook prepare-commit-msg`) to tag commits as they are made")
    message = git.commit_message(head)
    updated = set_trailers(message, trailers)
    if updated.rstrip("\n") == message.rstrip("\n"):
        return TagResult(False, tuple(trailers), head, head, _leftovers(updated, trailers))
    stderr = git.amend_message(updated)  # only the message changes
    if stderr is not None:
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
    # core.commentString (git >= 2.45) wins over core.commentChar; "auto" lets git pick a free character.
    comment = (git.config_get("core.commentString") or git.config_get("core.commentChar") or "#").strip() or "#"
    updated = set_trailers(original, trailers, comment)
    if updated == original:
        return TagResult(False, tuple(trailers))
    path.write_text(updated, encoding="utf-8")
    return TagResult(True, tuple(trailers), warnings=_leftovers(updated, trailers))
