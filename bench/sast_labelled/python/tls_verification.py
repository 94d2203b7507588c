import ssl

import paramiko
import requests


def fetch(url):
    # vuln: tls-verification
    return requests.get(url, verify=False, timeout=10)


def context():
    # vuln: tls-verification
    return ssl._create_unverified_context()


def ssh(host):
    client = paramiko.SSHClient()
    # vuln: tls-verification
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(host)
    return client


def legacy():
    ctx = ssl.create_default_context()
    # vuln: tls-verification
    ctx.check_hostname = False
    return ctx


def safe_fetch(url):
    # safe: tls-verification
    return requests.get(url, timeout=10)


def safe_ctx():
    # safe: tls-verification
    return ssl.create_default_context()
