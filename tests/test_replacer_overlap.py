"""The Replacer hides every character of every secret it was given, also where secrets overlap: one value ending
inside the next (`…abcd` then `cd…`), or a short value that starts a longer one. Before, the first replacement
won and the rest of an overlapping secret was printed in clear."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gatekeeper.scan.secrets_scanner import Replacer


def _expected(text: str, names: dict[str, str]) -> str:
    """Brute force: every occurrence of every value is a span; overlapping spans merge; each merged span is
    replaced by the name of the value that starts it (the longest, where several do)."""
    spans = sorted(((i, i + len(v), names[v]) for v in names if v for i in range(len(text))
                    if text.startswith(v, i)), key=lambda s: (s[0], -s[1]))
    merged: list[tuple[int, int, str]] = []
    for begin, stop, name in spans:
        if merged and begin < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop), merged[-1][2])
        else:
            merged.append((begin, stop, name))
    out, done = [], 0
    for begin, stop, name in merged:
        out += [text[done:begin], name]
        done = stop
    return "".join([*out, text[done:]])


def test_a_secret_that_ends_inside_the_next_leaves_nothing_of_either() -> None:
    first, second = "ghp_AAAABBBBCCCCDDDD", "CCCCDDDDEEEEFFFF"
    replace = Replacer({first: "[first]", second: "[second]"})
    shown = replace("token ghp_AAAABBBBCCCCDDDDEEEEFFFF end")
    assert shown == "token [first] end"
    assert "EEEE" not in shown and "FFFF" not in shown


def test_a_short_secret_that_starts_a_long_one_does_not_expose_the_rest() -> None:
    replace = Replacer({"hunter2": "[short]", "hunter2-and-the-rest-of-it": "[long]"})
    assert replace("pw hunter2-and-the-rest-of-it; again hunter2.") == "pw [long]; again [short]."


def test_a_long_run_of_a_periodic_value_costs_one_look_per_occurrence() -> None:
    replace = Replacer({"x" * 32: "[p]"})
    shown = replace("x" * 1_000_000 + "!")
    assert shown == "[p]" * 31_250 + "!"


def test_a_clipped_copy_inside_a_whole_one_is_one_span() -> None:
    token = "ghp_" + "x1Y2z3W4" * 5
    replace = Replacer({token: "[t]"})
    assert replace(f"{token[:12]}… and {token}") == "[t] and [t]"


def _borderless(value: str) -> bool:
    """No proper prefix is also a suffix: two occurrences of the value cannot overlap each other."""
    return all(value[:k] != value[-k:] for k in range(1, len(value)))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text("ab", min_size=1, max_size=12).filter(_borderless), min_size=1, max_size=5,
                unique_by=lambda v: v[: Replacer.HEAD]),
       st.text("ab", max_size=40))
def test_overlapping_values_are_replaced_as_merged_spans(values: list[str], body: str) -> None:
    """Different secrets that overlap are replaced as one span. (A value that overlaps itself is periodic, no
    credential: its occurrences are taken one after another, as str.replace does, so that a megabyte run of one
    character costs one look per occurrence — tests/test_redaction_red16_hostile.py. Values here cannot.)"""
    # A text ending in `!` (in no value): no clipped copy at its end, so only whole occurrences count.
    text = body + "!"
    names = {v: f"<{i}>" for i, v in enumerate(values)}
    assert Replacer(names)(text) == _expected(text, names)
