"""Shared fixtures: an isolated git environment for every test and a real-repository builder."""

from __future__ import annotations

import compileall
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from gatekeeper.review.github import GitHubClient
from gatekeeper.scan.secrets import SecretDetector
from tests import machine
from tests.finding_guard import RECORDER, problems
from tests.repo_builder import RepoBuilder

_SCRUB_PREFIXES = ("GITHUB_", "INPUT_", "GL_", "GITEA_", "GIT_", "GATEKEEPER_", "RUNNER_")


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: one worker more than the cores. The tests wait on git, scanner and hook subprocesses and on the
    hook's time budgets a quarter of the time; a third worker on two cores fills that (the whole suite: 12 min 13 s with
    two workers, 10 min 30 s with three, the same results)."""
    return (os.cpu_count() or 1) + 1


def pytest_configure(config: pytest.Config) -> None:
    """gatekeeper's bytecode written once, before the workers start. Every real push in the suite runs the hook, a new
    Python process that imports the whole engine, as does every CLI run in a subprocess: where no bytecode is on disk
    (an editable install ships none, and PYTHONDONTWRITEBYTECODE=1, set on the CI machine, keeps any from being
    written) each of those compiled every module from source again: 0.63 s of CPU to import the hook's modules
    instead of 0.35 s on the CI machine. compileall writes only what is missing or stale.

    Then the start-up cache (gatekeeper.startup_cache), written afresh for the code under test as `gatekeeper install`
    writes it for a server: the dataclass methods and patterns each of those processes would compile again, a third
    of a one-commit push's CPU without it."""
    if hasattr(config, "workerinput"):
        return
    root = Path(__file__).resolve().parents[1]
    compileall.compile_dir(root / "gatekeeper", quiet=1)
    subprocess.run([sys.executable, "-P", "-m", "gatekeeper.build_startup_cache", "--quiet"], cwd=root, check=True,
                   capture_output=True, timeout=300)


@pytest.fixture(scope="session", autouse=True)
def emitted_rule_ids_are_registered() -> Iterator[None]:
    """Every rule id gatekeeper's code emits during the session is in gatekeeper.catalogue (see
    tests/finding_guard.py); the session errors at its last teardown otherwise."""
    RECORDER.install()
    try:
        yield
    finally:
        RECORDER.uninstall()
    missing = problems(RECORDER.ids)
    if missing:
        pytest.fail("finding ids emitted but not registered in gatekeeper/catalogue.py: " + ", ".join(missing),
                    pytrace=False)


@pytest.fixture(autouse=True)
def machine_shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every test holds the machine's shared lock while it runs, so a timed push can have it alone (tests/machine.py).
    The lock files sit beside the workers' own temporary directories: one set per run."""
    base = tmp_path_factory.getbasetemp()
    machine.configure((base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "machine-locks")
    machine.share()
    try:
        yield
    finally:
        machine.release()


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's git config, CI variables or forge variables."""
    for name in list(os.environ):
        if name.startswith(_SCRUB_PREFIXES) or name in ("CI", "NO_COLOR", "SSH_ORIGINAL_COMMAND", "REMOTE_USER",
                                                        "SSH_AUTH_SOCK", "GNUPGHOME"):  # (nor their agent or keys)
            monkeypatch.delenv(name, raising=False)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n[protocol \"file\"]\n\tallow = always\n")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Dev Eloper")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "dev@example.com")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Dev Eloper")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "dev@example.com")
    monkeypatch.setenv("SEMGREP_ENABLE_VERSION_CHECK", "0")
    monkeypatch.setenv("SEMGREP_SEND_METRICS", "off")


@pytest.fixture
def repo(tmp_path: Path) -> RepoBuilder:
    return RepoBuilder.init(tmp_path / "work")


@pytest.fixture
def based(repo: RepoBuilder) -> RepoBuilder:
    """`repo` with a first commit, so a test's own commit has a base to be scanned against."""
    repo.commit("base\n", {"README": "x\n"})
    return repo


@pytest.fixture(scope="module")
def secrets_detector() -> SecretDetector:
    """The shipped secrets rules, loaded once per module."""
    return SecretDetector.load()


@pytest.fixture
def instant_backoff(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits of every GitHubClient made during the test (its retries' backoff, a rate limit's reset), recorded
    instead of slept: the retries still happen — each failing request is made again — and the test can see them. For
    tests whose local GitHub fails on purpose or leaves an endpoint unserved (a 500 is retried four times, 14 s of
    backoff per request)."""
    slept: list[float] = []
    defaults = GitHubClient.__init__.__kwdefaults__
    assert defaults is not None and "sleep" in defaults
    monkeypatch.setitem(defaults, "sleep", slept.append)
    return slept
