const vm = require('vm');

const CONSTANT_EXPR = "1 + 1";

function positives(req, userExpr, fieldName) {
  // ruleid: js-eval-non-literal
  const result = eval(req.query.expr);
  // ruleid: js-eval-non-literal
  const value = eval(`obj.${fieldName}`);
  // ruleid: js-eval-non-literal
  eval("calculate(" + userExpr + ")");
  // ruleid: js-eval-non-literal
  setTimeout("refresh('" + userExpr + "')", 1000);
  // ruleid: js-eval-non-literal
  const out = vm.runInNewContext(req.body.code, { console });
  // ruleid: js-eval-non-literal
  (0, eval)(userExpr);
  // ruleid: js-eval-non-literal
  window["eval"](req.body.code);
  return [result, value, out];
}

function negatives(obj, fieldName, userExpr) {
  // ok: js-eval-non-literal
  eval("1 + 1");
  // ok: js-eval-non-literal
  eval(CONSTANT_EXPR);
  // ok: js-eval-non-literal
  (0, eval)("1 + 1");
  // ok: js-eval-non-literal
  (0, parse)(userExpr);
  // ok: js-eval-non-literal
  const value = obj[fieldName];
  // ok: js-eval-non-literal
  setTimeout(() => console.log("done " + userExpr), 1000);
  // ok: js-eval-non-literal
  setInterval(function () { poll(userExpr); }, 5000);
  // ok: js-eval-non-literal
  setTimeout(poll, 100);
  // ok: js-eval-non-literal
  const parsed = JSON.parse(userExpr);
  return [value, parsed];
}

function poll() {}
