import jinja2
from flask import Flask, render_template, render_template_string, request

app = Flask(__name__)


@app.route("/preview")
def preview():
    body = request.form["template"]
    # vuln: template-injection
    return render_template_string(body)


@app.route("/hello")
def hello():
    name = request.args.get("name", "")
    # vuln: template-injection
    return render_template_string("<h1>Hello " + name + "</h1>")


def render_mail(tpl_source, ctx):
    # vuln: template-injection
    return jinja2.Template(tpl_source).render(**ctx)


@app.route("/safe")
def safe():
    # safe: template-injection
    return render_template_string("<h1>Hello {{ name }}</h1>", name=request.args.get("name"))


@app.route("/page")
def page():
    # safe: template-injection
    return render_template("page.html", q=request.args.get("q"))
