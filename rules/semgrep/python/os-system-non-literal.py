import importlib
import os
import shlex
import subprocess
from os import system

CLEAR = "clear"


def positives(host, filename, n):
    # ruleid: python-os-system-non-literal
    os.system("ping -c 1 " + host)
    # ruleid: python-os-system-non-literal
    os.system(f"convert {filename} out.png")
    # ruleid: python-os-system-non-literal
    data = os.popen("cat %s" % filename).read()
    # ruleid: python-os-system-non-literal
    system("head -n {} {}".format(n, filename))
    # ruleid: python-os-system-non-literal
    status, out = subprocess.getstatusoutput("du -sh " + filename)
    # ruleid: python-os-system-non-literal
    os.system(host)
    # ruleid: python-os-system-non-literal
    getattr(os, "system")(host)
    # ruleid: python-os-system-non-literal
    __import__("os").system(host)
    # ruleid: python-os-system-non-literal
    importlib.import_module("os").popen("cat " + filename)
    # ruleid: python-os-system-non-literal
    getattr(__import__("subprocess"), "getoutput")(host)
    return data, status, out


def negatives(obj, host):
    # ok: python-os-system-non-literal
    os.system("clear")
    # ok: python-os-system-non-literal
    os.system(CLEAR)
    # ok: python-os-system-non-literal
    out = os.popen("uname -a").read()
    # ok: python-os-system-non-literal
    subprocess.getoutput("date")
    # ok: python-os-system-non-literal
    os.system("ping -c 1 " + shlex.quote(CLEAR))
    # ok: python-os-system-non-literal
    getattr(os, "system")("clear")
    # ok: python-os-system-non-literal
    getattr(os, "path")
    # ok: python-os-system-non-literal
    getattr(obj, "system")(host)
    # ok: python-os-system-non-literal
    __import__("platform").system()
    # ok: python-os-system-non-literal
    importlib.import_module("mylib").popen(host)
    return out
