"""The start-up cache (gatekeeper.startup_cache): what it hands back is exactly what Python compiles, a bad file
changes nothing, the hook reads its start-up from it, and nothing a push brings is ever written to it."""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from gatekeeper import __version__ as VERSION
from gatekeeper import startup_cache
from gatekeeper.build_startup_cache import ensure
from gatekeeper.startup_cache import default_path, header
from tests.hook_helpers import MOBILE, make_server, spush
from tests.leak_helpers import token_maker

ROOT = Path(__file__).resolve().parents[1]


def _python(code: str, *, env: dict[str, str] | None = None) -> str:
    full = dict(os.environ)
    full.update(env or {})
    proc = subprocess.run([sys.executable, "-P", "-c", textwrap.dedent(code)], cwd=ROOT, env=full,
                          capture_output=True, check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return proc.stdout.decode()


def _build(path: Path) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, "-P", "-m", "gatekeeper.build_startup_cache", "--output", str(path)],
                          cwd=ROOT, capture_output=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    assert b"dataclass methods" in proc.stdout
    data = path.read_bytes()
    assert data.startswith(header(VERSION))
    loaded = marshal.loads(data[len(header(VERSION)):])
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    path = tmp_path_factory.mktemp("startup") / "cache.marshal"
    return path, _build(path)


def test_every_kept_pattern_is_the_program_re_compiles(built: tuple[Path, dict[str, Any]]) -> None:
    """Each entry, handed to the regex engine, is the very pattern re's own compiler makes (Pattern equality compares
    the flags, the pattern and the compiled program), with the same groups: the shipped secrets rules included."""
    _, loaded = built
    patterns = {**loaded["re"], **loaded["re-bytes"]}
    assert len(loaded["re"]) > 600 and loaded["re-bytes"]  # gatekeeper's lazy patterns and the shipped secrets rules
    assert all(type(p) is str for p, _ in loaded["re"]) and all(type(p) is bytes for p, _ in loaded["re-bytes"])
    compile_fresh = startup_cache._real_re_compile
    assert compile_fresh is not None and startup_cache._sre is not None
    for (pattern, flags), blob in patterns.items():
        cached = startup_cache._sre.compile(pattern, *marshal.loads(blob))
        fresh = compile_fresh(pattern, flags)
        assert cached == fresh, pattern
        assert (cached.groups, dict(cached.groupindex)) == (fresh.groups, dict(fresh.groupindex)), pattern


def test_every_kept_method_is_the_code_python_compiles_from_its_text(built: tuple[Path, dict[str, Any]]) -> None:
    """Compiled as dataclasses' own `exec` compiles it: without this file's `from __future__ import annotations`
    (a generated __init__'s annotations would otherwise turn into strings)."""
    _, loaded = built
    codes = loaded["code"]
    assert len(codes) > 500 and any("def __init__(" in text for text in codes)
    for text, blob in codes.items():
        assert marshal.loads(blob) == compile(text, "<string>", "exec", dont_inherit=True), text


_DESCRIBE = """
    import dataclasses, inspect, json, pkgutil, importlib, re, gatekeeper
    from gatekeeper import startup_cache
    names = sorted(m.name for m in pkgutil.walk_packages(gatekeeper.__path__, "gatekeeper.")
                   if not m.name.endswith("__main__"))
    out = {}
    for name in names:
        module = importlib.import_module(name)
        for attr, cls in sorted(vars(module).items()):
            if not (isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == name):
                continue
            for method in ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__"):
                fn = cls.__dict__.get(method)
                code = getattr(fn, "__code__", None)
                if code is None:
                    continue
                out[f"{name}.{attr}.{method}"] = [code.co_code.hex(), repr(code.co_consts), repr(code.co_names),
                                                  repr(fn.__annotations__), repr(fn.__defaults__),
                                                  str(inspect.signature(fn)), cls.__doc__ or ""]
    shown = json.dumps(out)
    addresses = re.compile(" at 0x[0-9a-f]+")  # a default that is an object shows where this process made it
    print(json.dumps({"hits": startup_cache.hits, "classes": json.loads(addresses.sub("", shown))}))
"""


def test_the_classes_made_with_the_cache_are_the_classes_made_without() -> None:
    """Every dataclass of gatekeeper, its methods compared bytecode for bytecode, annotations, defaults, signature:
    the same with the suite's cache as with none (GATEKEEPER_STARTUP_CACHE=off)."""
    assert startup_cache.is_current(VERSION), "tests/conftest.py builds the cache before the session"
    with_cache = json.loads(_python(_DESCRIBE))
    without = json.loads(_python(_DESCRIBE, env={"GATEKEEPER_STARTUP_CACHE": "off"}))
    assert with_cache["hits"]["code"] > 500 and with_cache["hits"]["pattern"] > 0
    assert without["hits"] == {"code": 0, "pattern": 0}
    assert len(with_cache["classes"]) > 400
    assert with_cache["classes"] == without["classes"]


def test_the_hook_reads_its_start_up_from_the_cache() -> None:
    """What a pre-receive hook imports: its dataclass methods and its module patterns all come compiled."""
    hits = json.loads(_python("""
        import json
        import gatekeeper.cli_hook, gatekeeper.modes.pre_receive
        from gatekeeper import startup_cache
        print(json.dumps(startup_cache.hits))
    """))
    assert hits["code"] > 300 and hits["pattern"] > 20


@pytest.mark.parametrize("damage", ["truncated", "foreign", "not-marshal", "not-a-dict", "bad-entries", "empty"])
def test_a_damaged_or_foreign_file_changes_nothing(tmp_path: Path, damage: str,
                                                   built: tuple[Path, dict[str, Any]]) -> None:
    """Whatever is wrong with the file, classes and patterns come out as Python makes them (an entry that does not
    load is compiled from its text) and nothing fails."""
    good = built[0].read_bytes()
    bad = tmp_path / "cache.marshal"
    text = "def __create_fn__():\n def f(self):\n  return 1\n return f"
    if damage == "truncated":
        bad.write_bytes(good[: len(good) // 2])
    elif damage == "foreign":
        bad.write_bytes(good.replace(sys.version.encode(), b"2.7.18 (default)", 1))
    elif damage == "not-marshal":
        bad.write_bytes(header(VERSION) + b"\xff" * 64)
    elif damage == "not-a-dict":
        bad.write_bytes(header(VERSION) + marshal.dumps([1, 2, 3]))
    elif damage == "bad-entries":  # each entry's value garbage, for keys that will be asked for
        bad.write_bytes(header(VERSION) + marshal.dumps({"code": {text: b"\x00junk"}, "re": {("a+b", 0): b"\xffjunk"},
                                                  "re-bytes": {(b"a+b", 0): b"junk"}}))
    else:
        bad.write_bytes(b"")
    out = _python(f"""
        import dataclasses, re
        from pathlib import Path
        import os
        import gatekeeper
        from gatekeeper import startup_cache
        del os.environ["GATEKEEPER_STARTUP_CACHE"]  # (set for the import: the suite's own cache is not loaded first)
        activated = startup_cache.activate(gatekeeper.__version__, Path({str(bad)!r}))
        @dataclasses.dataclass(frozen=True, slots=True)
        class Point:
            x: int
            y: int = 2
        assert Point(1) == Point(1, 2) and hash(Point(1)) == hash(Point(1, 2)) and repr(Point(1)) == "Point(x=1, y=2)"
        try:
            Point(1).x = 3
        except dataclasses.FrozenInstanceError:
            pass
        else:
            raise AssertionError("not frozen")
        assert re.compile("a+b").fullmatch("aab") and re.compile("a+b", re.I).pattern == "a+b"
        print(activated, startup_cache.hits)
    """, env={"GATEKEEPER_STARTUP_CACHE": "off"})
    activated, _, hits = out.strip().partition(" ")
    assert hits == "{'code': 0, 'pattern': 0}"
    # A file that loads is taken (its broken entries are compiled as before); any other is not taken at all.
    assert activated == ("True" if damage == "bad-entries" else "False")


def test_nothing_a_push_brings_is_written_to_the_cache(tmp_path: Path) -> None:
    """A push whose subject, ref name and file carry a token (the hook redacts it, building patterns from it) leaves the
    cache file as it was: only the build writes it, from gatekeeper's own code."""
    path = default_path()
    assert path is not None and path.exists()
    before = hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns
    token = token_maker(4242)()
    server = make_server(tmp_path / "srv")
    clone = server.clone()
    clone.commit(f"init {token}" + MOBILE, {"README.md": f"key {token}\n"})
    result = spush(server, clone, "origin", f"HEAD:refs/heads/{token}")
    assert result.code == 0 and token not in result.remote_text
    assert (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns) == before
    assert token.encode() not in path.read_bytes()


def test_install_builds_no_cache_where_there_is_one_and_says_why_when_it_cannot(tmp_path: Path) -> None:
    assert ensure() is None  # this interpreter's is there (the suite built it): nothing to do, nothing said
    missing = tmp_path / "no-such-python"
    note = ensure(str(missing))
    assert note is not None and note.startswith("no start-up cache (")
    assert f"run `{missing} -P -m gatekeeper.build_startup_cache`" in note
    spaced = tmp_path / "a python"
    assert "run `'" + str(spaced) + "' -P -m" in (ensure(str(spaced)) or "")


def test_the_build_says_why_it_wrote_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    proc = subprocess.run([sys.executable, "-P", "-m", "gatekeeper.build_startup_cache", "--output",
                           str(blocker / "cache.marshal")], cwd=ROOT, capture_output=True, check=False, timeout=300)
    assert proc.returncode == 1
    assert b"no start-up cache written" in proc.stderr and not (blocker / "cache.marshal").exists()


def test_a_class_the_cache_does_not_hold_is_made_as_python_makes_it() -> None:
    """A dataclass of a plugin, a test or a newer release, with the suite's cache active: its methods are compiled as
    dataclasses compiles them (real annotations, not this module's `from __future__ import annotations` strings)."""
    out = _python("""
        import dataclasses, typing
        from gatekeeper import startup_cache
        assert startup_cache._codes, "the suite's cache is active"
        @dataclasses.dataclass(frozen=True)
        class Plugin:
            count_of_things_nobody_cached: int
            label: str = "x"
        print(Plugin.__init__.__annotations__, typing.get_type_hints(Plugin.__init__), startup_cache.hits["code"])
    """)
    assert "{'count_of_things_nobody_cached': <class 'int'>, 'label': <class 'str'>, 'return': None}" in out


def test_str_and_bytes_patterns_stay_apart_under_bytes_warnings_as_errors() -> None:
    """`'x'` and `b'x'` hash alike: kept in one table, `python -bb` would raise at the comparison (gatekeeper's own
    patterns hold such twins)."""
    out = _python("""
        import re
        from gatekeeper import startup_cache
        assert startup_cache._patterns and startup_cache._byte_patterns
        kept = startup_cache._byte_patterns
        twins = [p for p, _ in startup_cache._patterns if (p.encode("latin-1", "ignore"), 0) in kept]
        assert twins, "no pattern kept as both str and bytes"
        for p in twins:
            assert re.compile(p).pattern == p and re.compile(p.encode("latin-1")).pattern == p.encode("latin-1")
        print("ok", len(twins))
    """, env={"PYTHONWARNINGS": "error::BytesWarning"})
    assert out.startswith("ok")
    proc = subprocess.run([sys.executable, "-bb", "-P", "-m", "gatekeeper", "--version"], cwd=ROOT, capture_output=True,
                          check=False, timeout=60)
    assert proc.returncode == 0 and not proc.stderr, proc.stderr


def test_a_pattern_whose_compiling_warns_is_never_kept(tmp_path: Path) -> None:
    """re warns while it compiles some patterns (a possible nested set): answered from the cache it would not, and
    under `-W error` would compile where it raises. The build keeps no such pattern and shows its warning."""
    proc = subprocess.run([sys.executable, "-P", "-W", "always", "-c", textwrap.dedent(f"""
        import re
        from pathlib import Path
        from gatekeeper.startup_cache import Recorder
        recorder = Recorder()
        recorder.install()
        re.compile("[[a]")
        re.compile("[a]+")
        recorder.write(Path({str(tmp_path / 'c.marshal')!r}), '0')
        print(sorted(p for p, _ in recorder.patterns if p in ("[[a]", "[a]+")), recorder.refused)
    """)], cwd=ROOT, env={**os.environ, "GATEKEEPER_STARTUP_CACHE": "off"}, capture_output=True, check=False,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode().strip() == "['[a]+'] 1"
    assert b"FutureWarning: Possible nested set" in proc.stderr
    assert (tmp_path / "c.marshal").stat().st_mode & 0o777 == 0o644  # readable by the account hooks run as


def test_a_fifo_or_a_symlink_at_the_cache_path_is_not_read(tmp_path: Path) -> None:
    """Nothing at the path can make every gatekeeper process wait at its start (a FIFO), nor send it elsewhere."""
    fifo = tmp_path / "fifo.marshal"
    os.mkfifo(fifo)
    link = tmp_path / "link.marshal"
    link.symlink_to(default_path())  # type: ignore[arg-type]
    out = _python(f"""
        import os
        from pathlib import Path
        import gatekeeper
        from gatekeeper import startup_cache
        del os.environ["GATEKEEPER_STARTUP_CACHE"]
        v = gatekeeper.__version__
        print(startup_cache.activate(v, Path({str(fifo)!r})), startup_cache.activate(v, Path({str(link)!r})),
              startup_cache.is_current(v, Path({str(fifo)!r})), startup_cache._codes == {{}})
    """, env={"GATEKEEPER_STARTUP_CACHE": "off"})
    assert out.split() == ["False", "False", "False", "True"]
