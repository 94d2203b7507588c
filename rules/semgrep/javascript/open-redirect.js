const express = require('express');

const app = express();
const ALLOWED = new Set(['/home', '/settings']);

app.get('/login', (req, res) => {
  // ruleid: js-open-redirect
  res.redirect(req.query.next);
});

app.post('/logout', (req, res) => {
  const { returnTo } = req.body;
  // ruleid: js-open-redirect
  res.redirect(302, returnTo);
});

app.get('/go', (req, res) => {
  // ruleid: js-open-redirect
  res.redirect('/' + req.query.path);
});

app.get('/back', (req, res) => {
  // ruleid: js-open-redirect
  res.writeHead(302, { Location: req.query.url });
  res.end();
});

app.get('/ok1', (req, res) => {
  // ok: js-open-redirect
  res.redirect('/dashboard');
});

app.get('/ok2', (req, res) => {
  // ok: js-open-redirect
  res.redirect('/login?next=' + encodeURIComponent(req.originalUrl));
});

app.get('/ok3', (req, res) => {
  // ok: js-open-redirect
  res.redirect(`/users/${req.params.id}/profile`);
});

app.get('/ok4', (req, res) => {
  const target = req.query.next;
  if (ALLOWED.has(target)) {
    // ok: js-open-redirect
    return res.redirect(target);
  }
  return res.redirect('/');
});
