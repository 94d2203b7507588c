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


# red130: the verify switch in other shapes
import os

import httplib2

# ruleid: python-tls-verify-disabled
os.environ["CURL_CA_BUNDLE"] = ""
# ruleid: python-tls-verify-disabled
os.environ["REQUESTS_CA_BUNDLE"] = ""
# ok: python-tls-verify-disabled
os.environ["REQUESTS_CA_BUNDLE"] = "/etc/ssl/certs/ca-certificates.crt"
# ruleid: python-tls-verify-disabled
http = httplib2.Http(disable_ssl_certificate_validation=True)


def red130_kwargs(url):
    opts = {"timeout": 10, "verify": False}
    # ruleid: python-tls-verify-disabled
    return requests.get(url, **opts)


def red130_default(url, verify=False):
    # ruleid: python-tls-verify-disabled
    return requests.get(url, timeout=10, verify=verify)


def red130_default_on(url, verify=True):
    # ok: python-tls-verify-disabled
    return requests.get(url, timeout=10, verify=verify)
