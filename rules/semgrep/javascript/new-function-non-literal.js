const BODY = "return a + b";

function positives(req, formula, argName) {
  // ruleid: js-new-function-non-literal
  const fn = new Function("x", "return " + formula);
  // ruleid: js-new-function-non-literal
  const fn2 = new Function(argName, `return ${req.body.expr};`);
  // ruleid: js-new-function-non-literal
  const fn3 = Function(req.query.code);
  return [fn, fn2, fn3];
}

function negatives() {
  // ok: js-new-function-non-literal
  const add = new Function("a", "b", "return a + b");
  // ok: js-new-function-non-literal
  const add2 = new Function("a", "b", BODY);
  // ok: js-new-function-non-literal
  const noop = new Function();
  return [add, add2, noop];
}
