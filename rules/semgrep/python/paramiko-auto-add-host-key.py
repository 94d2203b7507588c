import paramiko
from paramiko.client import AutoAddPolicy, RejectPolicy


def positives(host):
    client = paramiko.SSHClient()
    # ruleid: python-paramiko-auto-add-host-key
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    other = paramiko.SSHClient()
    # ruleid: python-paramiko-auto-add-host-key
    other.set_missing_host_key_policy(AutoAddPolicy())
    # ruleid: python-paramiko-auto-add-host-key
    other.set_missing_host_key_policy(paramiko.WarningPolicy())
    client.connect(host, username="deploy")
    return client, other


def negatives(host):
    client = paramiko.SSHClient()
    client.load_system_host_keys()
    # ok: python-paramiko-auto-add-host-key
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    # ok: python-paramiko-auto-add-host-key
    client.set_missing_host_key_policy(RejectPolicy())
    client.connect(host, username="deploy")
    return client
