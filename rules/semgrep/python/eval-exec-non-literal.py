import ast
import builtins
import importlib

evaluate = eval

SNIPPET = "x = 1 + 1"


def positives(expr, request, name, snippets):
    # ruleid: python-eval-exec-non-literal
    result = eval(expr)
    # ruleid: python-eval-exec-non-literal
    value = eval(request.args.get("q"), {"__builtins__": {}})
    # ruleid: python-eval-exec-non-literal
    exec(f"def {name}(): return 1")
    code = "print(" + expr + ")"
    # ruleid: python-eval-exec-non-literal
    exec(code, {})
    # ruleid: python-eval-exec-non-literal
    builtins.eval(expr)
    # ruleid: python-eval-exec-non-literal
    builtins.exec(code)
    # ruleid: python-eval-exec-non-literal
    getattr(builtins, "eval")(expr)
    # ruleid: python-eval-exec-non-literal
    __import__("builtins").exec(code)
    # ruleid: python-eval-exec-non-literal
    importlib.import_module("builtins").eval(expr)
    # ruleid: python-eval-exec-non-literal
    evaluate(expr)
    # ruleid: python-eval-exec-non-literal
    list(map(exec, snippets))
    return result, value


def negatives(expr, model, snippets):
    # ok: python-eval-exec-non-literal
    eval("1 + 2")
    # ok: python-eval-exec-non-literal
    exec(SNIPPET)
    # ok: python-eval-exec-non-literal
    data = ast.literal_eval(expr)
    # ok: python-eval-exec-non-literal
    model.eval()
    # ok: python-eval-exec-non-literal
    model.eval(expr)
    # ok: python-eval-exec-non-literal
    builtins.eval("1 + 2")
    # ok: python-eval-exec-non-literal
    getattr(builtins, "eval")("1 + 2")
    # ok: python-eval-exec-non-literal
    getattr(model, "eval")(expr)
    # ok: python-eval-exec-non-literal
    evaluate("1 + 2")
    # ok: python-eval-exec-non-literal
    list(map(str, snippets))
    return data
