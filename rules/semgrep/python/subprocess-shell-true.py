import shlex
import subprocess
from subprocess import Popen, check_output

LISTING = "ls -la /tmp"


def positives(user_dir, branch, pattern, use_shell):
    # ruleid: python-subprocess-shell-true
    subprocess.run(f"ls -la {user_dir}", shell=True)
    # ruleid: python-subprocess-shell-true
    subprocess.call("git checkout " + branch, shell=True)
    # ruleid: python-subprocess-shell-true
    out = check_output("grep -r '%s' ." % pattern, shell=True, text=True)
    # ruleid: python-subprocess-shell-true
    Popen("tar czf {}.tgz {}".format(branch, user_dir), shell=True, stdout=subprocess.PIPE)
    cmd = "rm -rf " + user_dir
    # ruleid: python-subprocess-shell-true
    subprocess.check_call(cmd, shell=True)
    # ruleid: python-subprocess-shell-true
    subprocess.run(args=f"echo {branch}", shell=True)
    # ruleid: python-subprocess-shell-true
    subprocess.run("ls " + user_dir, shell=use_shell)
    # ruleid: python-subprocess-shell-true
    subprocess.Popen("ls " + user_dir, shell=1)
    # ruleid: python-subprocess-shell-true
    subprocess.run("ls " + user_dir, shell="yes")
    # ruleid: python-subprocess-shell-true
    subprocess.run("ls " + user_dir, shell=[1])
    # ruleid: python-subprocess-shell-true
    subprocess.run("ls " + user_dir, shell=bool(pattern))
    return out


def negatives(user_dir, branch):
    # ok: python-subprocess-shell-true
    subprocess.run("ls -la /tmp | wc -l", shell=True)
    # ok: python-subprocess-shell-true
    subprocess.run(LISTING, shell=True)
    # ok: python-subprocess-shell-true
    subprocess.run(["ls", "-la", user_dir])
    # ok: python-subprocess-shell-true
    subprocess.run(["git", "checkout", branch], shell=False, check=True)
    # ok: python-subprocess-shell-true
    subprocess.check_output(f"ls {user_dir}", shell=False)
    # ok: python-subprocess-shell-true
    subprocess.check_output(f"ls {user_dir}", shell=0)
    # ok: python-subprocess-shell-true
    subprocess.check_output(f"ls {user_dir}", shell=None)
    # ok: python-subprocess-shell-true
    subprocess.call(["echo", "hi"], shell=True)
    # ok: python-subprocess-shell-true
    subprocess.run(f"ls -la {shlex.quote(user_dir)} | wc -l", shell=True)
    # ruleid: python-subprocess-shell-true
    subprocess.run(f"cp {shlex.quote(user_dir)} {branch}", shell=True)


# red130: the shell named as the program, and shell=True given indirectly
import functools
import os

sh = functools.partial(subprocess.run, shell=True, check=True)


def red130_shell_argv(filename, pattern, path, cmd):
    # ruleid: python-subprocess-shell-true
    subprocess.run(["bash", "-c", f"ffmpeg -i {filename} out.mp3"], check=True)
    # ruleid: python-subprocess-shell-true
    subprocess.check_output(["/bin/sh", "-c", "grep " + pattern + " " + path])
    # ruleid: python-subprocess-shell-true
    os.spawnlp(os.P_WAIT, "sh", "sh", "-c", "du -sh " + path)
    # ruleid: python-subprocess-shell-true
    os.execl("/bin/sh", "sh", "-c", cmd)
    # ok: python-subprocess-shell-true
    subprocess.run(["bash", "-c", "make clean && make"], check=True)
    # ok: python-subprocess-shell-true
    subprocess.run(["bash", "build.sh", filename], check=True)
    # ok: python-subprocess-shell-true
    subprocess.run(["sh", "-c", 'ffmpeg -i "$1" out.mp3', "sh", filename], check=True)


def red130_indirect(cmd, filename):
    opts = {"shell": True, "check": True, "capture_output": True}
    # ruleid: python-subprocess-shell-true
    subprocess.run(cmd, **opts)
    # ruleid: python-subprocess-shell-true
    sh(f"ffmpeg -i {filename} out.mp3")
    safe = {"check": True}
    # ok: python-subprocess-shell-true
    subprocess.run(cmd, **safe)


sp = subprocess


def red130_alias(host):
    # ruleid: python-subprocess-shell-true
    sp.run(f"ping -c 1 {host}", shell=True)


run_command = subprocess.check_output


def red130_function_alias(host):
    # ruleid: python-subprocess-shell-true
    run_command(f"nslookup {host}", shell=True)
    # ok: python-subprocess-shell-true
    run_command(["nslookup", host])


class Runner:
    def __init__(self):
        self.exec = subprocess.check_output

    def lookup(self, host):
        # ruleid: python-subprocess-shell-true
        return self.exec(f"nslookup {host}", shell=True)

    def safe(self, host):
        # ok: python-subprocess-shell-true
        return self.exec(["nslookup", host])


class Other:
    def lookup(self, host):
        # ok: python-subprocess-shell-true
        return self.exec(f"nslookup {host}", shell=True)
