"""Our trailer parser agrees with git's own (`git interpret-trailers --parse`) on tricky messages."""

from __future__ import annotations

import subprocess

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
    "divider": "fix\n\nbody\n---\nOrigin-Device: mobile\n",
    "co-authors": "feat\n\nbody\n\nCo-authored-by: Claude <noreply@anthropic.com>\nCo-authored-by: B <b@x>\n",
    "url not trailer": "fix\n\nhttps://example.com/a\n",
}


def _git_parse(message: str) -> list[tuple[str, str]]:
    out = subprocess.run(["git", "interpret-trailers", "--parse"], input=message.encode(), capture_output=True,
                         check=True).stdout.decode()
    pairs = []
    for line in out.splitlines():
        key, _, value = line.partition(":")
        pairs.append((key.strip(), value.strip()))
    return pairs


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_parser_matches_git(name: str) -> None:
    message = MESSAGES[name]
    ours = [(t.key, t.value) for t in parse_trailers(message)]
    assert ours == _git_parse(message)


def test_keys_compare_case_insensitively() -> None:
    (trailer,) = parse_trailers("fix\n\nORIGIN-DEVICE: mobile\n")
    assert trailer.name == "origin-device"


def test_ten_thousand_trailers() -> None:
    message = "fix\n\n" + "".join(f"X-Key-{i}: v{i}\n" for i in range(10_000)) + "Origin-Device: mobile\n"
    trailers = parse_trailers(message)
    assert len(trailers) == 10_001
    assert trailers[-1].value == "mobile"
