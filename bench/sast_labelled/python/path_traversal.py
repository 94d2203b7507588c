import os

from flask import Flask, request, send_file, send_from_directory
from werkzeug.utils import secure_filename

app = Flask(__name__)
UPLOADS = "/srv/uploads"


@app.route("/download")
def download():
    name = request.args.get("file")
    # vuln: path-traversal
    return send_file(os.path.join(UPLOADS, name))


@app.route("/read/<path:name>")
def read(name):
    # vuln: path-traversal
    with open(os.path.join(UPLOADS, name)) as fh:
        return fh.read()


@app.route("/delete", methods=["POST"])
def delete():
    target = request.form["path"]
    # vuln: path-traversal
    os.remove(UPLOADS + "/" + target)
    return "deleted"


def extract(archive):
    import tarfile
    with tarfile.open(archive) as tar:
        # vuln: path-traversal
        tar.extractall("/srv/extracted")


@app.route("/safe")
def safe():
    name = secure_filename(request.args.get("file", ""))
    # safe: path-traversal
    return send_file(os.path.join(UPLOADS, name))


@app.route("/safe2/<name>")
def safe2(name):
    # safe: path-traversal
    return send_from_directory(UPLOADS, name)
