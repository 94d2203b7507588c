import socket
import ssl

import redis


def positives(host):
    ctx = ssl.create_default_context()
    # ruleid: python-ssl-cert-checks-disabled
    ctx.check_hostname = False
    # ruleid: python-ssl-cert-checks-disabled
    ctx.verify_mode = ssl.CERT_NONE
    raw = socket.create_connection((host, 443))
    # ruleid: python-ssl-cert-checks-disabled
    s = ssl.wrap_socket(raw, cert_reqs=ssl.CERT_NONE)
    # ruleid: python-ssl-cert-checks-disabled
    r = redis.Redis(host=host, ssl=True, ssl_cert_reqs="none")
    # ruleid: python-ssl-cert-checks-disabled
    opts = {"cert_reqs": ssl.CERT_NONE}
    return s, r, opts


def negatives(host):
    ctx = ssl.create_default_context()
    # ok: python-ssl-cert-checks-disabled
    ctx.check_hostname = True
    # ok: python-ssl-cert-checks-disabled
    ctx.verify_mode = ssl.CERT_REQUIRED
    # ok: python-ssl-cert-checks-disabled
    r = redis.Redis(host=host, ssl=True, ssl_cert_reqs="required")
    return ctx.wrap_socket(socket.create_connection((host, 443)), server_hostname=host), r


def red130_zero():
    ctx = ssl.create_default_context()
    ctx.check_hostname = True
    # ruleid: python-ssl-cert-checks-disabled
    ctx.verify_mode = 0
    return ctx
