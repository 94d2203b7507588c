"""bandit's B202 where the module itself shows the extraction is safe (scan/bandit_tar.py): a zip archive's
extractall() in a module that also imports tarfile, and a tar extraction through one of Python's safe filters
spelled otherwise than `filter="data"`. bandit reports both HIGH/HIGH, which blocked ordinary archive code. Every
shape the reading cannot be sure of keeps bandit's finding: a rebound name, an alias, a walrus, a parameter, a
patched attribute, a `*` import, `**options`, an archive kept on `self`, the unsafe filters.

Real bandit and real semgrep through `gatekeeper check`; the premise of each kept case is bandit's own report."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.scan.bandit_tar import extraction_is_safe
from gatekeeper.scan.themes import theme_of
from tests.scan_helpers import ALL_SCANNERS_POLICY, check_commit

SAFE = {
    "zip_with.py": "import tarfile\nimport zipfile\n\n\ndef unpack(p, d):\n    with zipfile.ZipFile(p) as z:\n"
                   "        z.extractall(d)\n",
    "zip_inline.py": "import tarfile\nimport zipfile\n\n\ndef unpack(p, d):\n    zipfile.ZipFile(p).extractall(d)\n",
    "zip_from.py": "import tarfile\nfrom zipfile import ZipFile\n\n\ndef unpack(p, d):\n    archive = ZipFile(p)\n"
                   "    archive.extractall(d)\n",
    "zip_alias.py": "import tarfile\nimport zipfile as zf\n\n\ndef unpack(p, d):\n    with zf.ZipFile(p, 'r') as z:\n"
                    "        z.extractall(path=d)\n",
    "tar_data_filter.py": "import tarfile\n\n\ndef unpack(p, d):\n    with tarfile.open(p) as t:\n"
                          "        t.extractall(d, filter=tarfile.data_filter)\n",
    "tar_from_data_filter.py": "import tarfile\nfrom tarfile import data_filter\n\n\ndef unpack(p, d):\n"
                               "    with tarfile.open(p) as t:\n        t.extractall(d, filter=data_filter)\n",
}

KEPT = {
    # The tar filter still lets a member link outside the destination (PEP 706; red109).
    "tar_filter_tar.py": "import tarfile\n\n\ndef unpack(p, d):\n    with tarfile.open(p) as t:\n"
                         "        t.extractall(d, filter='tar')\n",
    "tar_from_filter.py": "import tarfile\nfrom tarfile import tar_filter\n\n\ndef unpack(p, d):\n"
                          "    with tarfile.open(p) as t:\n        t.extractall(d, filter=tar_filter)\n",
    "tar_plain.py": "import tarfile\n\n\ndef unpack(p, d):\n    with tarfile.open(p) as t:\n        t.extractall(d)\n",
    "rebound.py": "import tarfile\nimport zipfile\n\n\ndef unpack(p, d):\n    z = zipfile.ZipFile(p)\n"
                  "    z = tarfile.open(p)\n    z.extractall(d)\n",
    "module_alias.py": "import tarfile as zipfile\n\n\ndef unpack(p, d):\n    zipfile.ZipFile(p).extractall(d)\n",
    "walrus.py": "import tarfile\nimport zipfile\n\n\ndef unpack(p, d):\n    if (z := tarfile.open(p)):\n"
                 "        z.extractall(d)\n    z = zipfile.ZipFile(p)\n",
    "parameter.py": "import tarfile\nimport zipfile\n\n\ndef unpack(z, d):\n    z.extractall(d)\n\n\n"
                    "def other(p):\n    z = zipfile.ZipFile(p)\n    return z\n",
    "patched.py": "import tarfile\nimport zipfile\n\nzipfile.ZipFile = tarfile.open\n\n\ndef unpack(p, d):\n"
                  "    zipfile.ZipFile(p).extractall(d)\n",
    "setattr.py": "import tarfile\nimport zipfile\n\nsetattr(zipfile, 'Zip' + 'File', tarfile.open)\n\n\n"
                   "def unpack(p, d):\n    zipfile.ZipFile(p).extractall(d)\n",
    "star.py": "import tarfile\nimport zipfile\nfrom helpers import *\n\n\ndef unpack(p, d):\n"
               "    zipfile.ZipFile(p).extractall(d)\n",
    "fully_trusted.py": "import tarfile\n\n\ndef unpack(p, d):\n    with tarfile.open(p) as t:\n"
                        "        t.extractall(d, filter=tarfile.fully_trusted_filter)\n",
    "options.py": "import tarfile\n\n\ndef unpack(p, d, **options):\n    with tarfile.open(p) as t:\n"
                  "        t.extractall(d, filter=tarfile.data_filter, **options)\n",
    "filter_shadowed.py": "import tarfile\nfrom tarfile import data_filter\n\ndata_filter = tarfile.fully_trusted_filter\n\n\n"
                         "def unpack(p, d):\n    with tarfile.open(p) as t:\n        t.extractall(d, filter=data_filter)\n",
    "loop_rebinds.py": "import tarfile\nimport zipfile\n\n\ndef unpack(p, d, more):\n    z = zipfile.ZipFile(p)\n"
                       "    for z in more:\n        pass\n    z.extractall(d)\n",
    "on_self.py": "import tarfile\nimport zipfile\n\n\nclass Unpacker:\n    def run(self, p, d):\n"
                  "        self.z = zipfile.ZipFile(p)\n        self.z.extractall(d)\n",
    "tarfile_shadow_module.py": "import tarfile\nimport zipfile as tarfile\n\n\ndef unpack(p, d):\n"
                                "    with tarfile.open(p) as t:\n        t.extractall(d, filter=tarfile.data_filter)\n",
}


def _line(text: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if "extractall" in line)


def _bandit_lines(where: Path, files: dict[str, str]) -> set[tuple[str, int]]:
    where.mkdir()
    for name, text in files.items():
        (where / name).write_text(text)
    raw = subprocess.run([sys.executable, "-I", "-m", "bandit", "-f", "json", "-q", *sorted(files)], cwd=where,
                         capture_output=True, text=True, check=False, timeout=300)
    return {(Path(r["filename"]).name, r["line_number"]) for r in json.loads(raw.stdout)["results"]
            if r["test_id"] == "B202" and r["issue_severity"] == "HIGH"}


@pytest.fixture(scope="module")
def verdict(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any], set[tuple[str, int]]]:
    where = tmp_path_factory.mktemp("b202")
    files = {f"pkg/{name}": text for name, text in {**SAFE, **KEPT}.items()}
    code, result = check_commit(where, files, ALL_SCANNERS_POLICY)
    return code, result, _bandit_lines(where / "premise", {**SAFE, **KEPT})


def _b202(result: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [f for f in result["findings"] if f["rule_id"] == "bandit/B202" and f["path"] == f"pkg/{name}"]


@pytest.mark.parametrize("name", sorted(SAFE))
def test_a_safe_extraction_bandit_reports_is_not_a_finding(verdict: tuple[int, dict[str, Any], set[tuple[str, int]]],
                                                           name: str) -> None:
    _, result, reported = verdict
    assert (name, _line(SAFE[name])) in reported, "premise: bandit reports B202 HIGH on the line"
    assert not _b202(result, name), _b202(result, name)


@pytest.mark.parametrize("name", sorted(KEPT))
def test_an_extraction_the_module_does_not_show_safe_keeps_bandits_finding(
        verdict: tuple[int, dict[str, Any], set[tuple[str, int]]], name: str) -> None:
    code, result, reported = verdict
    line = _line(KEPT[name])
    assert (name, line) in reported, "premise: bandit reports B202 HIGH on the line"
    # bandit's finding, or ours of the same theme where it stands in its place (themes.one_per_line).
    assert [f["line"] for f in result["findings"] if f["path"] == f"pkg/{name}"
            and theme_of(f["rule_id"]) == "path-traversal" and f["blocking"]] == [line]
    assert code == 1


def test_a_line_holding_a_safe_and_an_unsafe_extraction_keeps_the_finding() -> None:
    text = ("import tarfile\nimport zipfile\n\n\ndef unpack(p, q, d):\n"
            "    zipfile.ZipFile(p).extractall(d); tarfile.open(q).extractall(d)\n")
    assert not extraction_is_safe(ast.parse(text), 6)
    assert extraction_is_safe(ast.parse(text.replace("tarfile.open(q).extractall(d)", "pass")), 6)


def test_a_line_with_no_extractall_call_is_not_read_as_safe() -> None:
    assert not extraction_is_safe(ast.parse("import tarfile\nimport zipfile\nx = 1\n"), 3)


ZIP = "import tarfile\nimport zipfile\n{prelude}\n\ndef unpack(p, d):\n    with zipfile.ZipFile(p) as z:\n        z.extractall(d)\n"


@pytest.mark.parametrize("prelude", [
    "import sys\nsys.modules['zipfile'] = tarfile",
    "from sys import modules\nmodules.update(zipfile=tarfile)",
    "vars()['zipfile'] = tarfile",
    "locals().update(zipfile=tarfile)",
    "exec('zipfile = tarfile')",
    "import importlib\nzipfile = importlib.import_module('tarfile')",
    "getattr(__import__('sys'), 'mod' + 'ules')['zipfile'] = tarfile",
    "import timeit\ntimeit.timeit(\"import sys, tarfile; sys.modules['zipfile'] = tarfile\", number=1)",
    "import pickle\npickle.loads(payload)",
    "import sys\nsys._getframe().f_globals['zipfile'] = tarfile",
    "setattr(sys.modules[__name__], 'zipfile', tarfile)",
])
def test_a_module_that_can_rebind_names_at_run_time_is_not_read_as_safe(prelude: str) -> None:
    """red114: the syntax tree's bindings say zip, the running module says tar; bandit's B202 stands."""
    plain, rebinding = ZIP.format(prelude=""), ZIP.format(prelude=prelude)
    assert extraction_is_safe(ast.parse(plain), _line(plain))
    assert not extraction_is_safe(ast.parse(rebinding), _line(rebinding))
