"""`python -m gatekeeper.build_startup_cache`: write gatekeeper's start-up cache (gatekeeper.startup_cache).

Runs in a process of its own, so that what it records is exactly what importing gatekeeper compiles: every module's
dataclass methods and module-level patterns (the libraries' as they are imported), every lazy pattern, and the
shipped secrets rules' patterns. Nothing a gate run reads is compiled here. `gatekeeper install` runs it; so do the
Action's image build and the test suite (tests/conftest.py). Exit 0 with the file written, 1 when it could not be.
"""

from __future__ import annotations

import importlib
import pkgutil
import shlex
import sys
from pathlib import Path

import gatekeeper
from gatekeeper.startup_cache import Recorder, default_path, is_current

MODULE = "gatekeeper.build_startup_cache"


def build(path: Path | None = None) -> tuple[Path, int, Recorder]:
    """Record gatekeeper's start-up compiles in this process and write them to `path` (default: beside gatekeeper's
    bytecode). Returns the path, the file's size and the recorder. OSError when it cannot be written."""
    recorder = Recorder()
    recorder.install()
    for module in pkgutil.walk_packages(gatekeeper.__path__, "gatekeeper."):
        if module.name.endswith("__main__") or module.name == MODULE:
            continue
        importlib.import_module(module.name)
    from gatekeeper import lazy_regex
    from gatekeeper.scan.secret_candidates import default_rules_path
    from gatekeeper.scan.secrets import SecretDetector, parse_rules

    lazy_regex.compile_all()
    parse_rules(default_rules_path().read_text(encoding="utf-8"), "shipped")  # every shipped rule, compiled
    SecretDetector.load()  # what the detector compiles when it is built (its prefilter)
    target = path if path is not None else default_path()
    if target is None:
        raise OSError("this interpreter keeps no bytecode cache tag: nowhere to write a start-up cache")
    return target, recorder.write(target, gatekeeper.__version__), recorder


def ensure(python: str | None = None, *, timeout: float = 180.0) -> str | None:
    """Build the start-up cache of the interpreter `python` (default: this one) unless it has one; a note for the user
    when one was written or could not be, None when it was there already."""
    from gatekeeper import process

    # Only this very interpreter is read here (a virtual environment's python resolves to its base interpreter, which
    # has another site-packages): any other is asked in a process of its own.
    if (python is None or python == sys.executable) and is_current(gatekeeper.__version__):
        return None
    argv = [python or sys.executable, "-P", "-m", MODULE, "--quiet", "--if-missing"]
    try:
        result = process.run(argv, timeout=timeout)
    except (OSError, process.Timeout) as exc:
        reason = str(exc)
    else:
        if result.returncode == 0:
            return result.stdout.decode("utf-8", "replace").strip() or None
        last = result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
        reason = last[0] if last else f"exit {result.returncode}"
    return (f"no start-up cache ({reason}): every hook run compiles gatekeeper's classes and patterns again (~0.15 s "
            f"of CPU); run `{shlex.quote(argv[0])} -P -m {MODULE}` as the user who owns the installation")


def main(argv: list[str]) -> int:
    quiet = "--quiet" in argv
    if "--if-missing" in argv and is_current(gatekeeper.__version__):
        return 0
    try:
        path, size, recorder = build(Path(argv[argv.index("--output") + 1]) if "--output" in argv else None)
    except (OSError, IndexError) as exc:
        print(f"gatekeeper: no start-up cache written: {exc}", file=sys.stderr)
        return 1
    print(f"wrote the start-up cache {path} ({size:,} bytes: {len(recorder.codes)} dataclass methods, "
          f"{len(recorder.patterns) + len(recorder.byte_patterns)} patterns)" if not quiet
          else f"wrote the start-up cache {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
