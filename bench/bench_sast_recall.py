"""Recall and must-not hit rate of the gate's SAST (our semgrep rules + bandit at the gate thresholds),
per theme and language, on two labelled sets:

- bench/sast_labelled/: realistic snippets written for this benchmark, separate from the rule tests;
  `# vuln: <theme>` / `// vuln: <theme>` marks the next code line as must-match for that theme,
  `safe: <theme>` as must-not (any finding on it counts as a false alarm);
- rules/semgrep/**: the rules' own `ruleid:` / `ok:` test lines, each under its rule's theme.

semgrep runs ONCE over both sets (one invocation, --experimental, as the gate runs it), bandit once.
A must-match line counts as found when a finding of its theme (our rule or a bandit test mapped to the
theme in gatekeeper.scan.themes) is on it. The baseline measured in the same run is bandit as an audit
(every confidence and severity, nothing deferred to our rules), which is what the gate reported before.

    python bench/bench_sast_recall.py [--verbose]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gatekeeper.scan.themes import SUPERSEDED_BANDIT, theme_of  # noqa: E402

LABELLED = ROOT / "bench" / "sast_labelled"
RULES = ROOT / "rules" / "semgrep"
MARK = re.compile(r"^\s*(?:#|//|\{?/\*|<!--)\s*(vuln|safe|ruleid|ok)\s*:\s*([\w, -]+?)\s*(?:\*/\}?|-->)?\s*$")
CODE_EXT = {".py": "python", ".js": "js", ".jsx": "js", ".ts": "js", ".tsx": "js", ".mjs": "js", ".cjs": "js",
            ".svelte": "js", ".vue": "js"}
LEVEL = {"LOW": 1, "MEDIUM": 2, "HIGH": 3}


def labels(path: Path, rel: str, kind: str) -> list[tuple[str, int, str, str, str]]:
    """(file, line, theme, expect 'vuln'|'safe', set) for each annotated line of one file."""
    lines = path.read_text(encoding="utf-8").split("\n")
    found = []
    for index, text in enumerate(lines):
        match = MARK.match(text)
        if not match:
            continue
        tag, names = match.groups()
        target = index + 1
        while target < len(lines) and MARK.match(lines[target]):
            target += 1
        for name in (n.strip() for n in names.split(",") if n.strip()):
            theme = theme_of(f"semgrep/{name}") if tag in ("ruleid", "ok") else name
            if theme:
                found.append((rel, target + 1, theme, "vuln" if tag in ("vuln", "ruleid") else "safe", kind))
    return found


def run_semgrep(root: Path) -> list[tuple[str, int, str]]:
    semgrep = shutil.which("semgrep", path=str(Path(sys.executable).parent)) or "semgrep"
    (root / ".semgrepignore").write_text("")
    proc = subprocess.run([semgrep, "scan", "--experimental", "--config", str(RULES), "--json", "--metrics=off",
                           "--disable-version-check", "--no-git-ignore", "--quiet", str(root)],
                          capture_output=True, text=True, check=False, timeout=600)
    data = json.loads(proc.stdout)
    return [(str(Path(r["path"]).resolve().relative_to(root.resolve())), r["start"]["line"],
             "semgrep/" + r["check_id"].rsplit(".", 1)[-1]) for r in data["results"]]


def run_bandit(root: Path, min_level: int) -> list[tuple[str, int, str]]:
    proc = subprocess.run([sys.executable, "-m", "bandit", "-f", "json", "-q", "-r", str(root)],
                          capture_output=True, text=True, check=False, timeout=600)
    data = json.loads(proc.stdout)
    return [(str(Path(r["filename"]).resolve().relative_to(root.resolve())), r["line_number"], "bandit/" + r["test_id"])
            for r in data["results"]
            if LEVEL.get(r["issue_confidence"], 3) >= min_level and LEVEL.get(r["issue_severity"], 3) >= min_level]


def score(items: list[tuple[str, int, str, str, str]], findings: list[tuple[str, int, str]]
          ) -> dict[tuple[str, str, str], list[int]]:
    """(set, language, theme) -> [vuln found, vuln total, safe flagged, safe total]."""
    on_line: dict[tuple[str, int], set[str | None]] = defaultdict(set)
    for rel, line, rule in findings:
        on_line[(rel, line)].add(theme_of(rule) or rule)
    table: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for rel, line, theme, expect, kind in items:
        row = table[(kind, CODE_EXT[Path(rel).suffix], theme)]
        themes = on_line.get((rel, line), set())
        if expect == "vuln":
            row[1] += 1
            row[0] += theme in themes
        else:
            row[3] += 1
            row[2] += bool(themes)
    return table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--verbose", action="store_true", help="list every missed and every flagged line")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gatekeeper-bench-sast-") as tmp:
        root = Path(tmp)
        items = []
        for kind, source in (("labelled", LABELLED), ("rule-tests", RULES)):
            for path in sorted(source.rglob("*")):
                if path.suffix not in CODE_EXT or not path.is_file():
                    continue
                rel = f"{kind}/{path.relative_to(source).as_posix()}"
                (root / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, root / rel)
                items += labels(path, rel, kind)
        t0 = time.monotonic()
        semgrep = run_semgrep(root)
        t1 = time.monotonic()
        # The gate: medium+ on both scales, and bandit defers to our rules for the superseded tests.
        gate = [f for f in run_bandit(root, LEVEL["MEDIUM"]) if f[2].removeprefix("bandit/") not in SUPERSEDED_BANDIT]
        t2 = time.monotonic()
        audit = run_bandit(root, LEVEL["LOW"])
    print(f"semgrep: 1 invocation, {t1 - t0:.1f}s; bandit: {t2 - t1:.1f}s; {len(items)} labelled lines")
    gate_table, audit_table = score(items, semgrep + gate), score(items, semgrep + audit)
    for kind in ("labelled", "rule-tests"):
        print(f"\n== {kind}: recall (must-match found) and must-not hit rate, gate thresholds "
              f"[bandit as audit in brackets]")
        print(f"{'lang':<7}{'theme':<22}{'recall':>14}{'must-not hit':>22}")
        totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        audit_totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for (k, lang, theme), row in sorted(gate_table.items()):
            if k != kind:
                continue
            base = audit_table[(k, lang, theme)]
            for i in range(4):
                totals[lang][i] += row[i]
                audit_totals[lang][i] += base[i]
            recall = f"{row[0]}/{row[1]}" if row[1] else "-"
            hit = f"{row[2]}/{row[3]} [{base[2]}/{base[3]}]" if row[3] else "-"
            print(f"{lang:<7}{theme:<22}{recall:>14}{hit:>22}")
        for lang, row in sorted(totals.items()):
            base = audit_totals[lang]
            print(f"{lang:<7}{'ALL':<22}{row[0] / max(row[1], 1):>13.0%} "
                  f"{row[2] / max(row[3], 1):>12.0%} [{base[2] / max(base[3], 1):.0%} with bandit as audit]")
    if args.verbose:
        on_line = defaultdict(set)
        for rel, line, rule in semgrep + gate:
            on_line[(rel, line)].add(rule)
        for rel, line, theme, expect, _kind in items:
            rules = on_line.get((rel, line), set())
            if expect == "vuln" and theme not in {theme_of(r) for r in rules}:
                print(f"MISSED  {rel}:{line} {theme}")
            elif expect == "safe" and rules:
                print(f"FLAGGED {rel}:{line} {theme} by {sorted(rules)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
