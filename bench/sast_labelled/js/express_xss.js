const app = require('express')();

app.get('/hello', (req, res) => {
  // vuln: xss
  res.send('<p>Hello ' + req.query.name + '</p>');
});

app.get('/json', (req, res) => {
  // safe: xss
  res.json({ name: req.query.name });
});
