const app = require('express')();

app.get('/login/done', (req, res) => {
  // vuln: open-redirect
  res.redirect(req.query.returnTo);
});

export function continueAfterLogin() {
  const next = new URLSearchParams(window.location.search).get('next');
  // vuln: open-redirect
  window.location.href = next;
}

export function hashNav() {
  // vuln: open-redirect
  location.replace(location.hash.substring(1));
}

app.get('/safe', (req, res) => {
  // safe: open-redirect
  res.redirect('/dashboard');
});

export function safeNav() {
  // safe: open-redirect
  window.location.href = '/home';
}
