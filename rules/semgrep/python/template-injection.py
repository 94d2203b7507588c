import jinja2
from flask import Flask, render_template, render_template_string, request

app = Flask(__name__)
PAGE = "<h1>Hello {{ name }}</h1>"


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
