"""Our trailer parser agrees with git's own on commit messages: `git log --format=%(trailers:only,unfold)`
on real commits (thousands of generated ones, written with `git fast-import`, and the whole history of
the public repositories under GATEKEEPER_REAL_REPOS), and `git interpret-trailers --parse --no-divider`.
"""

from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

import pytest

from gatekeeper.trailers import parse_trailers

MESSAGES = {
    "simple": "fix thing\n\nOrigin-Device: mobile\n",
    "lowercase key": "fix\n\norigin-device: tablet\nassisted-by: codex-mobile/0.3\n",
    "title only": "Origin-Device: mobile\n",
    "body not final block": "fix\n\nOrigin-Device: mobile\n\nthis paragraph is prose, not trailers\n",
    "continuation folded": "fix\n\nOrigin-Client: working-copy\n  6.1 on iOS\nOrigin-Device: mobile\n",
    "mixed block without git trailer": "fix\n\nsome prose line\nOrigin-Device: mobile\n",
    "mixed block with signed-off-by": "fix\n\nsome prose\nOrigin-Device: mobile\nSigned-off-by: A <a@x>\n",
    "space before colon": "fix\n\nOrigin-Device : mobile\n",
    "trailing blank lines": "fix\n\nOrigin-Device: web\n\n\n\n",
    "no trailers": "fix\n\njust a body\n",
    "empty": "",
    "divider is not a divider in a commit": "fix\n\nbody\n---\n\nOrigin-Device: mobile\n",
    "divider inside the block": "fix\n\n---\nSigned-off-by: A <a@x>\nCo-authored-by: B <b@x>\n",
    "co-authors": "feat\n\nbody\n\nCo-authored-by: Claude <noreply@anthropic.com>\nCo-authored-by: B <b@x>\n",
    "url not trailer": "fix\n\nhttps://example.com/a\n",
    "crlf": "fix\r\n\r\nbody\r\n\r\nSigned-off-by: A <a@x>\r\nCo-authored-by: B <b@x>\r\n",
    "crlf continuation keeps git's CR": "fix\r\n\r\nKey: a\r\n  b\r\n",
    "blank line holding a space": "fix\n\nbody\n \nOrigin-Device: mobile\n",
    "blank line holding a CR": "fix\n\nbody\n\r\nOrigin-Device: mobile\n",
    "trailing comment kept by --cleanup=verbatim": "fix\n\nOrigin-Device: mobile\n#42\n",
    "comment inside the block": "fix\n\nOrigin-Device: mobile\n# note\nSigned-off-by: A <a@x>\n",
    "conflicts block": "Merge x\n\nSigned-off-by: A <a@x>\n\nConflicts:\n\tsrc/a.c\n\tsrc/b.c\n",
    "conflicts block with comments": "Merge x\n\nCo-authored-by: B <b@x>\n\nConflicts:\n\tsrc/a.c\n#\n",
    "scissors": "fix\n\nOrigin-Device: mobile\n# ------------------------ >8 ------------------------\ndiff\n",
    "cherry-pick 25 %": "fix\n\nprose\nprose\nprose\n(cherry picked from commit abc)\nKey: v\n",
    "signed-off-by 25 % not met": "fix\n\np\np\np\np\nSigned-off-by: A <a@x>\n",
    "lowercase signed-off-by is not git-generated": "fix\n\nprose\nsigned-off-by: A <a@x>\n",
    "leading blank lines": "\n\nfix\n\nOrigin-Device: mobile\n",
    "leading blank lines before a trailer title": "\n \nOrigin-Device: mobile\n",
    "no final newline": "fix\n\nOrigin-Device: mobile",
    "form feed is not whitespace": "fix\n\nbody\n\x0c\nOrigin-Device: mobile\n",
    "non-ascii token": "fix\n\nClé: v\n",
    "nul ends the message": "fix\n\nOrigin-Device: mobile\x00\n\nprose\n",
}


def _git(repo: Path, *args: str, input: bytes | None = None) -> bytes:
    return subprocess.run(["git", *args], cwd=repo, input=input, capture_output=True, check=True).stdout


def _parse_git_output(text: str) -> list[tuple[str, str]]:
    pairs = []
    for line in text.split("\n"):
        if line:
            key, _, value = line.partition(": ")
            pairs.append((key, value))
    return pairs


def git_log_trailers(repo: Path, messages: list[str]) -> list[list[tuple[str, str]]]:
    """What `git log --format=%(trailers:only,unfold)` reads from commits holding these messages.

    One `git fast-import` writes every commit (messages byte for byte, no cleanup), one `git log` reads
    them back: thousands of messages in well under a second."""
    stream = bytearray()
    for index, message in enumerate(messages, start=1):
        data = message.encode("utf-8")
        stream += b"commit refs/heads/diff\nmark :%d\ncommitter T <t@example.com> %d +0000\ndata %d\n" % (
            index, 1_700_000_000 + index, len(data))
        stream += data + b"\n"
        if index > 1:
            stream += b"from :%d\n" % (index - 1)
        stream += b"\n"
    marks = repo / "marks"
    _git(repo, "fast-import", "--quiet", f"--export-marks={marks}", input=bytes(stream))
    sha_of = dict(line.split() for line in marks.read_text().splitlines())
    out = _git(repo, "log", "--format=%H%x00%(trailers:only,unfold)%x00", "refs/heads/diff").decode("utf-8")
    parts = out.split("\x00")
    found = {parts[i].strip(): _parse_git_output(parts[i + 1]) for i in range(0, len(parts) - 1, 2)}
    return [found[sha_of[f":{index}"]] for index in range(1, len(messages) + 1)]


@pytest.fixture
def bare(tmp_path: Path) -> Path:
    path = tmp_path / "oracle.git"
    subprocess.run(["git", "init", "-q", "--bare", str(path)], check=True)
    return path


def test_table_matches_git_log(bare: Path) -> None:
    names = sorted(MESSAGES)
    expected = git_log_trailers(bare, [MESSAGES[n] for n in names])
    for name, want in zip(names, expected, strict=True):
        assert [(t.key, t.value) for t in parse_trailers(MESSAGES[name])] == want, name


def test_the_issue_cases_keep_their_trailers() -> None:
    # Each of these lost Signed-off-by / Co-authored-by / Origin-Device before (issue #9 item 4).
    for name in ("crlf", "blank line holding a space", "trailing comment kept by --cleanup=verbatim",
                 "conflicts block", "divider inside the block"):
        assert parse_trailers(MESSAGES[name]), name


# -- generated messages ---------------------------------------------------------------------------

_TITLES = ("fix the parser", "Signed-off-by: A <a@x>", "# comment title", "Key: value", "  indented title", "")
_KEYS = ("Signed-off-by", "Co-authored-by", "Origin-Device", "Assisted-by", "Reviewed-by", "key", "A-9", "Bug",
         "X", "-")
_SEPS = (": ", ":", " : ", "\t:", ":  ", ":\t")
_VALUES = ("mobile", "A <a@x>", "", "x: y", " spaced ", "B <b@x> (github: b)", "http://e.x/1", "#7")
_ODD_LINES = (
    "some prose here", "http://example.com/x", "(cherry picked from commit 0123abcd)", "Signed-off-by: Dev <d@x>",
    "signed-off-by: lower <l@x>", "Signed-off-by:nospace", " continuation", "\tcontinuation", "  ", "\t", "\r",
    "# comment", "#", "#Key: v", "Conflicts:", "\tsrc/path.c", "---", "--- ", "-- ", "Foo Bar: x", ": x", "Clé: v",
    "[bot]: x", "# ------------------------ >8 ------------------------", "Key:", "\x0cform-feed", "Key\x0c: v",
    "Key: v\x0c", "\u00a0nbsp line",
)
_BLANKS = ("", "", "", " ", "\t", "\r", " \t ")


def _line(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.55:
        return rng.choice(_KEYS) + rng.choice(_SEPS) + rng.choice(_VALUES)
    return rng.choice(_ODD_LINES)


def generate_message(rng: random.Random) -> str:
    lines: list[str] = [rng.choice(_BLANKS) for _ in range(rng.choice((0, 0, 0, 1, 2)))]
    lines.append(rng.choice(_TITLES))
    for _ in range(rng.randint(0, 3)):
        lines.append(rng.choice(_BLANKS))
        lines.extend(_line(rng) for _ in range(rng.randint(1, 5)))
    for _ in range(rng.choice((0, 0, 0, 1, 2))):
        lines.append(rng.choice(("", "#", "# trailing comment", "Conflicts:", "\ta.c", " ", "\r")))
    eol = rng.choice(("\n", "\n", "\n", "\r\n", "mixed"))
    text = "".join(line + (rng.choice(("\n", "\r\n")) if eol == "mixed" else eol) for line in lines)
    return text if rng.random() < 0.85 else text.rstrip("\r\n")


def test_generated_messages_match_git_log(bare: Path) -> None:
    rng = random.Random(20261202)
    messages = [generate_message(rng) for _ in range(4000)]
    expected = git_log_trailers(bare, messages)
    mismatches = [(m, want, [(t.key, t.value) for t in parse_trailers(m)])
                  for m, want in zip(messages, expected, strict=True)
                  if [(t.key, t.value) for t in parse_trailers(m)] != want]
    assert not mismatches, f"{len(mismatches)} of {len(messages)} differ, first: {mismatches[0]!r}"
    # The generator is worth something only if it reaches both outcomes often.
    with_trailers = sum(1 for want in expected if want)
    assert 0.2 * len(messages) < with_trailers < 0.9 * len(messages)


def test_generated_messages_match_interpret_trailers() -> None:
    """`git interpret-trailers --parse --no-divider` (one process per message, so a bounded sample).

    interpret-trailers does not skip leading blank lines the way %(trailers) does for a commit, so the
    sample starts every message with a title line."""
    rng = random.Random(7)
    checked = 0
    while checked < 400:
        message = generate_message(rng)
        if not message or not message.split("\n", 1)[0].strip(" \t\r"):
            continue
        out = subprocess.run(["git", "interpret-trailers", "--parse", "--no-divider"], input=message.encode(),
                             capture_output=True, check=True).stdout.decode()
        assert [(t.key, t.value) for t in parse_trailers(message)] == _parse_git_output(out), repr(message)
        checked += 1


# -- real histories -------------------------------------------------------------------------------

# The commits these histories were tested at (the whole history reachable from each).
REAL_HISTORIES = {
    "Aider-AI+aider": "5dc9490bb35f9729ef2c95d00a19ccd30c26339c",
    "opencontainers+runc": "76d9cf5da5683ff449ae967db58fa8c5927ca54b",
    "golang+net": "0ca694d2a5adcce7f36d4d65e5f8d72390d94051",
    "github+github-mcp-server": "64a49f34d076b6f5917dae1424521d43c7bcae84",
}


def real_repo(name: str) -> tuple[Path, str]:
    root = Path(os.environ.get("GATEKEEPER_REAL_REPOS", "/work/.mirror"))
    path = root / name / "repo"
    commit = REAL_HISTORIES[name]
    if not path.is_dir():
        pytest.skip(f"real history {name} not present under {root} (set GATEKEEPER_REAL_REPOS)")
    if subprocess.run(["git", "-C", str(path), "cat-file", "-e", f"{commit}^{{commit}}"],
                      capture_output=True).returncode != 0:
        pytest.skip(f"{name} under {root} lacks the pinned commit {commit}")
    return path, commit


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(REAL_HISTORIES))
def test_real_history_matches_git_log(name: str) -> None:
    path, commit = real_repo(name)
    out = subprocess.run(["git", "-C", str(path), "log", "--format=%H%x00%B%x00%(trailers:only,unfold)%x00", commit],
                         capture_output=True, check=True).stdout.decode("utf-8", "replace")
    parts = out.split("\x00")
    mismatches = []
    total = 0
    for i in range(0, len(parts) - 2, 3):
        total += 1
        message, want = parts[i + 1], _parse_git_output(parts[i + 2])
        if [(t.key, t.value) for t in parse_trailers(message)] != want:
            mismatches.append(parts[i].strip())
    assert total > 500
    assert not mismatches, f"{len(mismatches)} commits differ from git, e.g. {mismatches[:5]}"


def test_keys_compare_case_insensitively() -> None:
    (trailer,) = parse_trailers("fix\n\nORIGIN-DEVICE: mobile\n")
    assert trailer.name == "origin-device"


def test_ten_thousand_trailers() -> None:
    message = "fix\n\n" + "".join(f"X-Key-{i}: v{i}\n" for i in range(10_000)) + "Origin-Device: mobile\n"
    trailers = parse_trailers(message)
    assert len(trailers) == 10_001
    assert trailers[-1].value == "mobile"
