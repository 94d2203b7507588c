const express = require('express');
const escapeHtml = require('escape-html');

const app = express();

app.get('/hello', (req, res) => {
  // ruleid: js-express-reflected-xss
  res.send(`<h1>Hello ${req.query.name}</h1>`);
});

app.get('/search', (req, res) => {
  const q = req.query.q;
  // ruleid: js-express-reflected-xss
  res.status(200).send('<p>No results for ' + q + '</p>');
});

app.post('/echo', (req, res) => {
  res.setHeader('Content-Type', 'text/html');
  // ruleid: js-express-reflected-xss
  res.end(`<pre>${req.body.text}</pre>`);
});

app.get('/ok1', (req, res) => {
  // ok: js-express-reflected-xss
  res.send(`<h1>Hello ${escapeHtml(req.query.name)}</h1>`);
});

app.get('/ok2', (req, res) => {
  // ok: js-express-reflected-xss
  res.json({ greeting: `Hello ${req.query.name}` });
});

app.get('/ok3', (req, res) => {
  // ok: js-express-reflected-xss
  res.render('hello', { name: req.query.name });
});

app.get('/ok4', (req, res) => {
  const count = 3;
  // ok: js-express-reflected-xss
  res.send(`<p>${count} items</p>`);
});
