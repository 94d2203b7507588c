import aiohttp
import httpx
import requests
import urllib3


async def positives(url, payload):
    # ruleid: python-tls-verify-disabled
    r = requests.get(url, verify=False)
    # ruleid: python-tls-verify-disabled
    requests.post(url, json=payload, timeout=10, verify=False)
    s = requests.Session()
    # ruleid: python-tls-verify-disabled
    s.verify = False
    # ruleid: python-tls-verify-disabled
    s.get(url, verify=False)
    # ruleid: python-tls-verify-disabled
    client = httpx.Client(verify=False)
    # ruleid: python-tls-verify-disabled
    conn = aiohttp.TCPConnector(ssl=False)
    async with aiohttp.ClientSession() as session:
        # ruleid: python-tls-verify-disabled
        async with session.get(url, ssl=False) as resp:
            await resp.text()
    # ruleid: python-tls-verify-disabled
    pool = urllib3.PoolManager(cert_reqs="CERT_NONE")
    return r, client, conn, pool


def negatives(url, form):
    # ok: python-tls-verify-disabled
    r = requests.get(url, timeout=5)
    # ok: python-tls-verify-disabled
    requests.get(url, verify="/etc/ssl/certs/internal-ca.pem")
    # ok: python-tls-verify-disabled
    requests.get(url, verify=True)
    # ok: python-tls-verify-disabled
    client = httpx.Client(verify=True)
    # ok: python-tls-verify-disabled
    form.validate(verify=False)
    # ok: python-tls-verify-disabled
    pool = urllib3.PoolManager(cert_reqs="CERT_REQUIRED")
    return r, client, pool
