"""The bandit tests the gate drops in favour of our rules (scan/themes.py SUPERSEDED_BANDIT) may only be dropped
where our rules see the same sink: every line on which real bandit reports one of them at the gate's thresholds
must carry a finding of ours of the same theme, or be one of the forms our rules accept on purpose (listed below,
each with its reason). red98: bandit's B602 on `shell=1` was dropped while our rule only knew `shell=True`.

Real bandit and real semgrep with the shipped rules, over sink variants written for this test."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gatekeeper.scan.themes import SUPERSEDED_BANDIT, theme_of

ROOT = Path(__file__).resolve().parents[1]

# `# accepted: <why>` after a line: a form our rules accept on purpose, which bandit reports.
VARIANTS = '''\
import builtins
import os
import sqlite3
import subprocess
import tarfile
from os import system as run_in_shell
from subprocess import Popen as P

from django.utils.safestring import mark_safe
from django.utils.safestring import mark_safe as ms

LISTING = "ls -la /tmp"


def shells(cmd, flag, user):
    subprocess.Popen("ls " + user, shell=1)
    subprocess.run("ls " + user, shell="yes")
    subprocess.run("ls " + user, shell=[1])
    subprocess.run("ls " + user, shell=flag)
    subprocess.run("ls " + user, shell=not False)
    subprocess.run("ls " + user, shell=bool(user))
    P("ls " + user, shell=True)
    subprocess.check_output(cmd, shell=True)
    subprocess.run(args=cmd, shell=True, check=True)
    subprocess.getoutput(cmd)
    subprocess.getstatusoutput("du -sh " + user)
    subprocess.run(LISTING, shell=True)  # accepted: a constant command
    os.system("ls " + user)
    run_in_shell("ls " + user)
    os.popen("ls " + user)
    os.popen2("ls " + user)  # accepted: Python 2 only, an AttributeError on Python 3


def code(x):
    eval(x)
    exec(x)
    builtins.eval(x)
    eval("1 + 2")  # accepted: a literal


def archives(path, dest):
    t = tarfile.open(path)
    t.extractall(dest)
    tarfile.open(path).extractall()
    with tarfile.open(path) as tf:
        tf.extractall(path=dest)
    tarfile.TarFile.open(path).extractall(dest)
    tarfile.TarFile(path).extractall(dest)


def unpack(archive, dest):
    archive.extractall(dest)


class Bundle:
    def __init__(self, path):
        self.tar = tarfile.open(path)

    def unpack(self, dest):
        self.tar.extractall(dest)


def sql(cur, uid, name):
    cur.execute("SELECT * FROM users WHERE id = %s" % uid)
    cur.execute(f"SELECT * FROM users WHERE name = '{name}'")
    cur.execute("SELECT * FROM users WHERE name = '{}'".format(name))
    cur.executemany("INSERT INTO t VALUES (%s)" % uid, [])
    sqlite3.connect("x").execute("UPDATE t SET a = " + name)


def html(x):
    mark_safe(x)
    ms(x)
    mark_safe("<b>" + x + "</b>")
'''

LEVEL = {"LOW": 1, "MEDIUM": 2, "HIGH": 3}


def _semgrep() -> str:
    found = shutil.which("semgrep", path=str(Path(sys.executable).parent)) or shutil.which("semgrep")
    if found is None:
        pytest.fail("semgrep is not installed: install the project with its test extra")
    return found


def test_every_superseded_bandit_finding_stands_where_one_of_our_rules_does(tmp_path: Path) -> None:
    target = tmp_path / "variants.py"
    target.write_text(VARIANTS)
    lines = VARIANTS.splitlines()
    accepted = {n for n, text in enumerate(lines, 1) if "# accepted:" in text}

    bandit = subprocess.run([sys.executable, "-I", "-m", "bandit", "-f", "json", "-q", str(target)],
                            capture_output=True, text=True, check=False, timeout=300)
    theirs = [(r["line_number"], "bandit/" + r["test_id"]) for r in json.loads(bandit.stdout)["results"]
              if r["test_id"] in SUPERSEDED_BANDIT
              and LEVEL[r["issue_severity"]] >= LEVEL["MEDIUM"] and LEVEL[r["issue_confidence"]] >= LEVEL["MEDIUM"]]
    semgrep = subprocess.run([_semgrep(), "scan", "--experimental", "--metrics=off", "--disable-version-check",
                              "--quiet", "--json", "--no-git-ignore", "--config", str(ROOT / "rules" / "semgrep"),
                              str(target)], capture_output=True, text=True, check=False, timeout=600,
                             cwd=tmp_path)
    data = json.loads(semgrep.stdout)
    assert not data["errors"], data["errors"]
    ours = {(r["start"]["line"], theme_of("semgrep/" + r["check_id"].rsplit(".", 1)[-1])) for r in data["results"]}

    # The premise: bandit reports the superseded tests on the variants (else this test proves nothing).
    assert len({line for line, _ in theirs}) >= 20, theirs
    missed = sorted((line, rule, lines[line - 1].strip()) for line, rule in theirs
                    if line not in accepted and (line, theme_of(rule)) not in ours)
    assert not missed, f"bandit findings the gate would drop with no rule of ours on the line: {missed}"
    # And the accepted forms are ones our rules really pass over (else the list above hides a finding).
    assert not {line for line, _ in ours} & accepted
