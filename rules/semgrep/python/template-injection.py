import os
import pathlib

import jinja2
from flask import Flask, render_template, render_template_string, request, session

app = Flask(__name__)
PAGE = "<h1>Hello {{ name }}</h1>"
PLUGINS = "plugins"


@app.route("/hello")
def hello():
    name = request.args.get("name", "")
    # ruleid: python-template-injection
    return render_template_string(f"<h1>Hello {name}</h1>")


@app.route("/preview", methods=["POST"])
def preview():
    # ruleid: python-template-injection
    return render_template_string(request.form["template"])


def render_email(body, context):
    # ruleid: python-template-injection
    tpl = jinja2.Template("<p>" + body + "</p>")
    env = jinja2.Environment(autoescape=True)
    # ruleid: python-template-injection
    tpl2 = env.from_string(body)
    return tpl.render(**context), tpl2


@app.route("/safe")
def safe():
    name = request.args.get("name", "")
    # ok: python-template-injection
    a = render_template_string("<h1>Hello {{ name }}</h1>", name=name)
    # ok: python-template-injection
    b = render_template_string(PAGE, name=name)
    # ok: python-template-injection
    c = render_template("hello.html", name=name)
    # ok: python-template-injection
    d = jinja2.Template("Hi {{ who }}").render(who=name)
    return a + b + c + d


# Templates the app ships in its own files (meas145).
@app.route("/admin/plugins/<plugin>")
def plugin_config(plugin):
    if plugin in os.listdir(PLUGINS):
        config_html = open(os.path.join(PLUGINS, plugin, "config.html")).read()
        # ok: python-template-injection
        return render_template_string(config_html)
    # ok: python-template-injection
    page = render_template_string(app.open_resource("static/update.html").read().decode("utf-8"), plugin=plugin)
    # ok: python-template-injection
    other = render_template_string(pathlib.Path(PLUGINS, "page.html").read_text(), plugin=plugin)
    return page + other


# A file read is not enough when the request names the file or the file is the request's.
@app.route("/render", methods=["POST"])
def render_uploaded():
    # ruleid: python-template-injection
    a = render_template_string(open(request.args["template"]).read())
    # ruleid: python-template-injection
    b = render_template_string(request.files["template"].read().decode("utf-8"))
    body = open(os.path.join(PLUGINS, "base.html")).read()
    body = body + request.form["footer"]
    # ruleid: python-template-injection
    c = render_template_string(body)
    html = open(os.path.join(PLUGINS, "base.html")).read()
    html = request.form["page"]
    # ruleid: python-template-injection
    d = render_template_string(html)
    # ruleid: python-template-injection
    e = render_template_string(open(os.path.join(PLUGINS, "base.html")).read() + request.form["footer"])
    return a + b + c + d + e


# red147: a file the app may have written from the request, then reads back and renders.
@app.route("/pages/save", methods=["POST"])
def save_page():
    path = os.path.join(PLUGINS, session["uid"] + ".html")
    open(path, "w").write(request.form["page"])
    return "saved"


@app.route("/pages/view")
def view_page():
    path = os.path.join(PLUGINS, session["uid"] + ".html")
    # ruleid: python-template-injection
    a = render_template_string(open(path).read())
    tpl = open(f"{PLUGINS}/{session['uid']}.html").read()
    # ruleid: python-template-injection
    b = render_template_string(tpl)
    name = request.args["t"]
    # ruleid: python-template-injection
    c = render_template_string(open(os.path.join(PLUGINS, name)).read())
    request.files["t"].save("/tmp/upload.html")
    # ruleid: python-template-injection
    d = render_template_string(pathlib.Path("/tmp/upload.html").read_text())
    # ok: python-template-injection
    e = render_template_string(open("templates/page.html").read())
    return a + b + c + d + e


# A blueprint's own resource named through a join (CTFd's challenge pages).
@app.route("/admin/challenges/<int:challenge_id>")
def challenge_page(challenge_id):
    static_path = os.path.basename(app.static_url_path)
    # ok: python-template-injection
    return render_template_string(
        app.open_resource(os.path.join(static_path, "update.html")).read().decode("utf-8"), challenge=challenge_id)
