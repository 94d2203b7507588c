import os
import shutil
from pathlib import Path

from flask import Flask, abort, request, send_file, send_from_directory
from werkzeug.utils import secure_filename

app = Flask(__name__)
UPLOADS = "/srv/uploads"
REPORTS = {"daily.csv", "weekly.csv"}


@app.route("/download")
def download():
    name = request.args.get("file")
    # ruleid: python-path-traversal-user-input
    return send_file(os.path.join(UPLOADS, name))


@app.route("/files/<path:filename>")
def read_file(filename):
    # ruleid: python-path-traversal-user-input
    with open(os.path.join(UPLOADS, filename)) as fh:
        return fh.read()


@app.post("/notes")
def save_note():
    target = Path(UPLOADS) / request.json["name"]
    # ruleid: python-path-traversal-user-input
    target.write_text(request.json["body"])
    return "ok"


@app.route("/delete", methods=["POST"])
def delete():
    # ruleid: python-path-traversal-user-input
    os.remove(UPLOADS + "/" + request.form["name"])
    return "deleted"


@app.route("/safe-download")
def safe_download():
    # ok: python-path-traversal-user-input
    return send_from_directory(UPLOADS, request.args["file"])


@app.route("/upload", methods=["POST"])
def upload():
    f = request.files["file"]
    name = secure_filename(f.filename)
    # ok: python-path-traversal-user-input
    with open(os.path.join(UPLOADS, name), "wb") as out:
        out.write(f.read())
    return "ok"


@app.route("/checked")
def checked():
    full = os.path.realpath(os.path.join(UPLOADS, request.args["file"]))
    if not full.startswith(UPLOADS + os.sep):
        abort(403)
    # ok: python-path-traversal-user-input
    return open(full).read()


@app.route("/checked-raw")
def checked_raw():
    path = os.path.join(UPLOADS, request.args["file"])
    if not os.path.realpath(path).startswith(UPLOADS + os.sep):
        abort(403)
    # ok: python-path-traversal-user-input
    return open(path).read()


@app.route("/leading-slash")
def leading_slash():
    name = request.args["name"]
    if name.startswith("/"):
        abort(400)
    # ruleid: python-path-traversal-user-input
    return open(os.path.join(UPLOADS, name)).read()


@app.route("/unrelated-check")
def unrelated_check():
    name = request.args["name"]
    if request.path.startswith("/api"):
        app.logger.info("api call")
    # ruleid: python-path-traversal-user-input
    return open(os.path.join(UPLOADS, name)).read()


@app.route("/static-report")
def report():
    # ok: python-path-traversal-user-input
    return open(os.path.join(UPLOADS, "report.txt")).read()


def helper(path):
    # ok: python-path-traversal-user-input
    return open(path).read()


# red130: Flask's upload idiom, pathlib's open, shutil.move
@app.route("/red130/upload", methods=["POST"])
def red130_upload():
    f = request.files["file"]
    # ruleid: python-path-traversal-user-input
    f.save(os.path.join("/srv/uploads", f.filename))
    g = request.files["other"]
    # ok: python-path-traversal-user-input
    g.save(os.path.join("/srv/uploads", secure_filename(g.filename)))
    return "ok"


@app.route("/red130/download")
def red130_download():
    name = request.args.get("file")
    # ruleid: python-path-traversal-user-input
    with (Path("/srv/uploads") / name).open("rb") as f:
        return f.read()


@app.route("/red130/archive", methods=["POST"])
def red130_archive():
    # ruleid: python-path-traversal-user-input
    shutil.move(request.form["path"], "/srv/archive/")
    return "ok"


# An allow-list check guards the name (meas145).
@app.route("/admin/plugins/<plugin>")
def plugin_page(plugin):
    installed = [d for d in os.listdir(UPLOADS) if os.path.isdir(os.path.join(UPLOADS, d))]
    if plugin in installed:
        # ok: python-path-traversal-user-input
        return open(os.path.join(UPLOADS, plugin, "config.html")).read()
    return "no such plugin"


@app.route("/reports/<report>")
def known_report(report):
    if report in REPORTS and request.method == "GET":
        # ok: python-path-traversal-user-input
        return send_file(os.path.join(UPLOADS, report))
    return "no"


# Membership tests that allow nothing in particular.
@app.route("/dressed/<name>")
def dressed(name):
    if name in request.args:
        # ruleid: python-path-traversal-user-input
        return open(os.path.join(UPLOADS, name)).read()
    if name in "../../etc/passwd" + name:
        # ruleid: python-path-traversal-user-input
        return open(os.path.join(UPLOADS, name)).read()
    if name in [name]:
        # ruleid: python-path-traversal-user-input
        return open(os.path.join(UPLOADS, name)).read()
    if name in REPORTS:
        name = request.args["other"]
        # ruleid: python-path-traversal-user-input
        return open(os.path.join(UPLOADS, name)).read()
    if "report" in name:
        # ruleid: python-path-traversal-user-input
        return open(os.path.join(UPLOADS, name)).read()
    return "no"


# red147: the check guards only the `if` body, and only a list that cannot hold what the request sent.
FORBIDDEN = {".env", "secrets.yml"}
CACHE = {}


@app.route("/blocked/<name>")
def block_list_else(name):
    if name in FORBIDDEN:
        abort(403)
    else:
        # ruleid: python-path-traversal-user-input
        return open(os.path.join(UPLOADS, name)).read()


@app.route("/cached/<name>")
def cache_miss(name):
    if name in CACHE:
        return CACHE[name]
    elif name:
        # ruleid: python-path-traversal-user-input
        return open(os.path.join(UPLOADS, name)).read()
    return "no"


@app.route("/listed/<name>")
def lists_that_hold_the_request(name):
    args = request.args
    if name in args:
        # ruleid: python-path-traversal-user-input
        return open(os.path.join(UPLOADS, name)).read()
    allowed = set(os.listdir(UPLOADS)) | {name}
    if name in allowed:
        # ruleid: python-path-traversal-user-input
        return open(os.path.join(UPLOADS, name)).read()
    seen = os.listdir(UPLOADS)
    seen.append(name)
    if name in seen:
        # ruleid: python-path-traversal-user-input
        return open(os.path.join(UPLOADS, name)).read()
    if name in {"daily.csv", "weekly.csv"}:
        # ok: python-path-traversal-user-input
        return open(os.path.join(UPLOADS, name)).read()
    return "no"
