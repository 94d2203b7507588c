import jinja2
from jinja2 import Environment, FileSystemLoader, select_autoescape


def positives():
    # ruleid: python-jinja2-autoescape-disabled
    env = Environment(loader=FileSystemLoader("templates"))
    # ruleid: python-jinja2-autoescape-disabled
    env2 = jinja2.Environment(loader=jinja2.PackageLoader("app"), autoescape=False)
    return env, env2


def negatives():
    # ok: python-jinja2-autoescape-disabled
    env = Environment(loader=FileSystemLoader("templates"), autoescape=select_autoescape())
    # ok: python-jinja2-autoescape-disabled
    env2 = jinja2.Environment(autoescape=True)
    return env, env2
