const app = require('express')();

app.post('/calc', (req, res) => {
  // vuln: code-injection
  const result = eval(req.body.expression);
  res.json({ result });
});

function makeFilter(src) {
  // vuln: code-injection
  return new Function('row', 'return ' + src);
}

function later(code) {
  // vuln: code-injection
  setTimeout(code, 100);
}

function safeParse(text) {
  // safe: code-injection
  return JSON.parse(text);
}

function safeTimer(fn) {
  // safe: code-injection
  setTimeout(fn, 100);
}

module.exports = { makeFilter, later, safeParse, safeTimer };
