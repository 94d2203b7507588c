const fs = require('fs');
const path = require('path');
const express = require('express');

const app = express();
const STORE = path.join(__dirname, 'store');

app.get('/avatar', (req, res) => {
  // vuln: path-traversal
  fs.createReadStream(path.join(STORE, req.query.file)).pipe(res);
});

app.get('/doc/:name', (req, res) => {
  // vuln: path-traversal
  res.sendFile(path.resolve(STORE, req.params.name));
});

app.post('/save', (req, res) => {
  const { filename, content } = req.body;
  // vuln: path-traversal
  fs.writeFileSync(`${STORE}/${filename}`, content);
  res.sendStatus(201);
});

app.delete('/file', async (req, res) => {
  // vuln: path-traversal
  await fs.promises.rm(path.join(STORE, req.body.name), { force: true });
  res.sendStatus(204);
});

app.get('/stat', (req, res) => {
  // vuln: path-traversal
  res.json(fs.statSync(STORE + '/' + req.query.p));
});

app.get('/safe', (req, res) => {
  // safe: path-traversal
  fs.createReadStream(path.join(STORE, path.basename(req.query.file))).pipe(res);
});

app.get('/safe-root', (req, res) => {
  // safe: path-traversal
  res.sendFile(req.query.file, { root: STORE });
});

app.get('/index', (req, res) => {
  // safe: path-traversal
  fs.createReadStream(path.join(STORE, 'index.html')).pipe(res);
});
