import asyncio
import os
import shlex
import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.route("/backup")
def backup():
    name = request.args["name"]
    # vuln: command-injection
    subprocess.run(f"tar czf /backups/{name}.tgz /srv/data", shell=True, check=True)
    return "ok"


@app.route("/dns")
def dns():
    host = request.args.get("host", "")
    # vuln: command-injection
    out = os.popen("nslookup " + host).read()
    return out


def convert(path):
    # vuln: command-injection
    os.system("convert %s thumb.png" % path)


async def probe(target):
    # vuln: command-injection
    proc = await asyncio.create_subprocess_shell(f"nmap -sV {target}")
    return await proc.wait()


def archive(folder):
    # vuln: command-injection
    return subprocess.check_output("du -sh " + folder, shell=True)


def safe_list(folder):
    # safe: command-injection
    return subprocess.run(["ls", "-l", folder], capture_output=True, check=True).stdout


def safe_quoted(folder):
    # safe: command-injection
    return subprocess.check_output("du -sh " + shlex.quote(folder), shell=True)


def safe_constant():
    # safe: command-injection
    os.system("sync")
