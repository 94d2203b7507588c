"""Benchmark: some of our semgrep rules over every file of a real repository at one revision, for labelling by hand.

What it shows: how often the named rules fire on real code — findings per 100 files of the languages they read —
each finding printed with its line, so that a reader can label it true or false; and, with `--time`, what the whole
rule set costs on the same files against another rule directory (`--baseline-rules`, e.g. the rules before a round),
one `semgrep scan --experimental` each, interleaved, best of `--repeat`.

    python bench/bench_rules_real.py --repo /work/.mirror/OWNER+NAME/repo --rules js-svelte-raw-html js-vue-v-html
        [--rev HEAD] [--paths '*.svelte' '*.vue'] [--time --baseline-rules DIR] [--repeat 3]

The blobs are read with `git archive` into a temporary directory (never a checkout of the mirror, which stays
read-only); semgrep runs offline, `--metrics=off --disable-version-check`. No assertions: it prints figures.
"""

from __future__ import annotations

import argparse
import fnmatch
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules" / "semgrep"
sys.path.insert(0, str(ROOT))
from gatekeeper.scan.semgrep import LANGUAGE_EXTENSIONS, load_rules  # noqa: E402

SKIP_DIRS = ("node_modules/", "vendor/", "dist/", "build/", ".min.js")


def semgrep_argv(config: Path, root: Path) -> list[str]:
    semgrep = shutil.which("semgrep", path=str(Path(sys.executable).parent)) or "semgrep"
    return [semgrep, "scan", "--experimental", "--config", str(config), "--json", "--metrics=off",
            "--disable-version-check", "--no-git-ignore", "--quiet", "--timeout", "30", str(root)]


def extract(repo: Path, rev: str, paths: list[str], into: Path) -> list[str]:
    names = subprocess.run(["git", "-C", str(repo), "ls-tree", "-r", "-z", "--name-only", rev],
                           capture_output=True, check=True).stdout.decode("utf-8", "replace").split("\0")
    # (ls-tree's pathspecs are no globs: the names are matched here, by their last component)
    names = [n for n in names if n and any(fnmatch.fnmatch(n.rsplit("/", 1)[-1], p) for p in paths)
             and not any(part in n for part in SKIP_DIRS)]
    if not names:
        return []
    archive = subprocess.run(["git", "-C", str(repo), "archive", "--format=tar", rev, "--", *names],
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    (into / ".semgrepignore").write_text("")
    return names


def run(config: Path, root: Path) -> tuple[float, dict]:
    env = dict(os.environ, SEMGREP_ENABLE_VERSION_CHECK="0", SEMGREP_SEND_METRICS="off")
    started = time.monotonic()
    proc = subprocess.run(semgrep_argv(config, root), capture_output=True, text=True, check=False, env=env,
                          cwd=root, timeout=1800)
    took = time.monotonic() - started
    return took, json.loads(proc.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, required=True)
    parser.add_argument("--rev", default="HEAD")
    parser.add_argument("--rules", nargs="+", required=True, help="our rule ids (without semgrep/)")
    parser.add_argument("--paths", nargs="+", help="pathspecs (default: the extensions the rules read)")
    parser.add_argument("--time", action="store_true", help="time the whole rule set against --baseline-rules")
    parser.add_argument("--baseline-rules", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rules = {r.id.removeprefix("semgrep/"): r for r in load_rules(RULES)}
    chosen = [rules[name] for name in args.rules]
    if args.paths:
        paths = args.paths
    else:
        extensions: set[str] = set()
        for rule in chosen:
            extensions |= rule.text_extensions() or {e for lang in rule.languages for e in LANGUAGE_EXTENSIONS[lang]}
        paths = [f"*{e}" for e in sorted(extensions)]
    with tempfile.TemporaryDirectory() as tmp:
        root, config = Path(tmp) / "files", Path(tmp) / "rules"
        root.mkdir()
        config.mkdir()
        for rule in chosen:
            shutil.copy(rule.source, config / rule.source.name)
        names = extract(args.repo, args.rev, paths, root)
        took, data = run(config, root)
        results = sorted((r["path"], r["start"]["line"], r["check_id"].rsplit(".", 1)[-1]) for r in data["results"])
        print(f"{args.repo} @ {args.rev}: {len(names)} file(s) ({' '.join(paths)}), rules {' '.join(args.rules)}: "
              f"{len(results)} finding(s), {100 * len(results) / max(1, len(names)):.2f} per 100 files, "
              f"{took:.1f} s, {len(data.get('errors', []))} error(s)")
        for path, line, rule in results:
            text = (root / path).read_text(encoding="utf-8", errors="replace").split("\n")
            shown = text[line - 1].strip()[:150] if line <= len(text) else ""
            print(f"  {rule} {Path(path).resolve().relative_to(root.resolve())}:{line}  {shown}")
        if args.time:
            if args.baseline_rules is None:
                raise SystemExit("--time needs --baseline-rules DIR")
            every = extract(args.repo, args.rev, [f"*{e}" for e in sorted(
                {e for exts in LANGUAGE_EXTENSIONS.values() for e in exts} | {".svelte", ".vue"})],
                Path(tmp) / "all")
            best = {"baseline": float("inf"), "this": float("inf")}
            for _ in range(args.repeat):
                for name, rule_dir in (("baseline", args.baseline_rules), ("this", RULES)):
                    best[name] = min(best[name], run(rule_dir, Path(tmp) / "all")[0])
            print(f"  whole rule set over {len(every)} file(s), best of {args.repeat}: "
                  f"baseline {best['baseline']:.1f} s, this {best['this']:.1f} s "
                  f"({best['this'] / best['baseline']:.2f}x)")


if __name__ == "__main__":
    main()
