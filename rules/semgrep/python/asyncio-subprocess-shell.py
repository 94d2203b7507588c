import asyncio
import shlex


async def run(host, user_cmd):
    # ruleid: python-asyncio-subprocess-shell
    proc = await asyncio.create_subprocess_shell(f"ping -c 1 {host}", stdout=asyncio.subprocess.PIPE)
    # ruleid: python-asyncio-subprocess-shell
    await asyncio.create_subprocess_shell(user_cmd)
    # ruleid: python-asyncio-subprocess-shell
    await asyncio.create_subprocess_shell("tar czf " + host + ".tgz data")
    loop = asyncio.get_running_loop()
    # ruleid: python-asyncio-subprocess-shell
    await loop.subprocess_shell(asyncio.SubprocessProtocol, "ls " + host)
    # ok: python-asyncio-subprocess-shell
    await asyncio.create_subprocess_shell("uptime")
    # ok: python-asyncio-subprocess-shell
    await asyncio.create_subprocess_shell("ping -c 1 " + shlex.quote(host))
    # ok: python-asyncio-subprocess-shell
    await asyncio.create_subprocess_exec("ping", "-c", "1", host)
    return proc
