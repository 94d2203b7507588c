const express = require('express');
const fs = require('fs');
const path = require('path');

const app = express();
const BASE = path.join(__dirname, 'uploads');

app.get('/files/:name', (req, res) => {
  // ruleid: js-path-traversal-user-input
  fs.readFile(path.join(BASE, req.params.name), 'utf8', (err, data) => res.send(data));
});

app.get('/download', (req, res) => {
  const file = req.query.file;
  // ruleid: js-path-traversal-user-input
  res.sendFile(path.resolve(BASE, file));
});

app.post('/notes', async (req, res) => {
  const { name, body } = req.body;
  // ruleid: js-path-traversal-user-input
  await fs.promises.writeFile(`${BASE}/${name}.txt`, body);
  res.end();
});

app.delete('/files/:name', (req, res) => {
  // ruleid: js-path-traversal-user-input
  fs.unlinkSync(BASE + '/' + req.params.name);
  res.end();
});

app.get('/safe/:name', (req, res) => {
  const name = path.basename(req.params.name);
  // ok: js-path-traversal-user-input
  fs.readFile(path.join(BASE, name), (err, data) => res.send(data));
});

app.get('/checked', (req, res) => {
  const full = path.resolve(BASE, req.query.file);
  if (!full.startsWith(BASE + path.sep)) {
    return res.status(403).end();
  }
  // ok: js-path-traversal-user-input
  return res.sendFile(full);
});

app.get('/rooted', (req, res) => {
  // ok: js-path-traversal-user-input
  res.sendFile(req.query.file, { root: BASE });
});

app.get('/static', (req, res) => {
  // ok: js-path-traversal-user-input
  fs.readFile(path.join(BASE, 'index.html'), (err, data) => res.send(data));
});
