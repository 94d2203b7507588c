import ssl
import urllib.request


def positives(url):
    # ruleid: python-ssl-unverified-context
    ctx = ssl._create_unverified_context()
    # ruleid: python-ssl-unverified-context
    ssl._create_default_https_context = ssl._create_unverified_context
    return urllib.request.urlopen(url, context=ctx)


def negatives(url):
    # ok: python-ssl-unverified-context
    ctx = ssl.create_default_context()
    # ok: python-ssl-unverified-context
    ctx2 = ssl.create_default_context(cafile="/etc/ssl/internal-ca.pem")
    return urllib.request.urlopen(url, context=ctx), ctx2
