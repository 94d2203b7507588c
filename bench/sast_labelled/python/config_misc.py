import os
import tempfile

from flask import Flask

app = Flask(__name__)


def run_dev():
    # vuln: debug-enabled
    app.run(host="127.0.0.1", debug=True)


def serve():
    # vuln: network-exposure
    app.run(host="0.0.0.0", port=8080)


def scratch():
    # vuln: insecure-temp-file
    path = tempfile.mktemp(suffix=".csv")
    return path


def publish(path):
    # vuln: file-permissions
    os.chmod(path, 0o777)


def admin_only(user):
    # vuln: assert-for-security
    assert user.is_admin, "admins only"
    return True


def safe_run():
    # safe: debug-enabled
    app.run(host="127.0.0.1", debug=False)


def safe_tmp():
    # safe: insecure-temp-file
    fd, path = tempfile.mkstemp(suffix=".csv")
    return fd, path


def safe_chmod(path):
    # safe: file-permissions
    os.chmod(path, 0o600)


def check_shape(rows):
    # safe: assert-for-security
    assert isinstance(rows, list)
    return rows
