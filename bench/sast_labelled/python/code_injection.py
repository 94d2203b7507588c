import ast

from flask import request


def calc():
    expr = request.args.get("expr")
    # vuln: code-injection
    return str(eval(expr))


def plugin(source):
    namespace = {}
    # vuln: code-injection
    exec(source, namespace)
    return namespace


def compile_rule(rule_text):
    # vuln: code-injection
    return eval("lambda row: " + rule_text)


def safe_literal(text):
    # safe: code-injection
    return ast.literal_eval(text)


def safe_constant():
    # safe: code-injection
    return eval("1 + 1")


def load_chat_model(body):
    from transformers import AutoModelForCausalLM

    # vuln: code-injection
    return AutoModelForCausalLM.from_pretrained(body["model"], trust_remote_code=True)


def load_embedder():
    from sentence_transformers import SentenceTransformer

    # safe: code-injection
    return SentenceTransformer("nomic-ai/nomic-embed-text-v1.5", trust_remote_code=True)
