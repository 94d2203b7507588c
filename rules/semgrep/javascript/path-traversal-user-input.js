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

const Koa = require('koa');
const koa = new Koa();
koa.use(async (ctx) => {
  // ruleid: js-path-traversal-user-input
  ctx.body = fs.createReadStream(path.join(BASE, ctx.query.file));
});

// Next.js pages API route
export default function handler(req, res) {
  const { slug } = req.query;
  // ruleid: js-path-traversal-user-input
  const text = fs.readFileSync(path.join(process.cwd(), 'posts', `${slug}.md`), 'utf8');
  res.status(200).send(text);
}

app.get('/exists', (req, res) => {
  // ruleid: js-path-traversal-user-input
  res.json({ ok: fs.existsSync(BASE + req.query.p) });
});

app.get('/plugin', (req, res) => {
  // ruleid: js-path-traversal-user-input
  const plugin = require(`./plugins/${req.query.name}`);
  res.json(plugin.info);
});

app.get('/header', (req, res) => {
  // ruleid: js-path-traversal-user-input
  fs.promises.readFile(path.join(BASE, req.headers['x-file'])).then((d) => res.send(d));
});

app.get('/base', (req, res) => {
  // ok: js-path-traversal-user-input
  fs.createReadStream(path.join(BASE, path.basename(req.query.file))).pipe(res);
});
