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

// sast160: an LLM reply streamed as server-sent events, and JSON lines written to an agent's RPC channel
app.post('/v1/chat/completions', async (req, res) => {
  const chunk = { model: req.body.model, choices: [{ delta: { content: req.body.prompt } }] };
  res.setHeader('Content-Type', 'text/event-stream');
  res.setHeader('Cache-Control', 'no-cache');
  // ok: js-express-reflected-xss
  res.write(`data: ${JSON.stringify(chunk)}\n\n`);
  res.end();
});

app.post('/help', (req, res) => {
  const agentRpc = getAgentChannel();
  // ok: js-express-reflected-xss
  agentRpc.write(JSON.stringify({ type: 'ui_response', value: req.body.prompt }) + '\n');
  return res.json({ status: 'sent' });
});

// ... but a page is still a page
app.post('/stream-then-page', (req, res) => {
  res.setHeader('Content-Type', 'text/event-stream');
  res.setHeader('Content-Type', 'text/html');
  // ruleid: js-express-reflected-xss
  res.write(`<p>${req.body.prompt}</p>`);
  res.end();
});

app.post('/page-then-stream', (req, res) => {
  // ruleid: js-express-reflected-xss
  res.write(`<p>${req.body.prompt}</p>`);
  res.setHeader('Content-Type', 'text/event-stream');
  res.end();
});

app.post('/page-html', (req, res) => {
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  // ruleid: js-express-reflected-xss
  res.write(`<p>${req.body.prompt}</p>`);
  res.end();
});

app.post('/html-typed', (req, res) => {
  res.setHeader('Content-Type', 'application/json');
  res.type('html');
  // ruleid: js-express-reflected-xss
  res.send(`<p>${req.body.prompt}</p>`);
});

class Pages {
  show(req, response) {
    // ruleid: js-express-reflected-xss
    response.send(`<h1>${req.params.title}</h1>`);
  }
}

app.get('/nested', (req, res) => {
  lookup(req.query.id, (err, row) => {
    // ruleid: js-express-reflected-xss
    res.send(`<p>${req.query.id}: ${row}</p>`);
  });
});

app.get('/alias', (req, res) => {
  const out = res;
  // ruleid: js-express-reflected-xss
  out.send(`<p>${req.query.x}</p>`);
});

app.post('/stream-then-writehead-html', (req, res) => {
  res.setHeader('Content-Type', 'text/event-stream');
  res.writeHead(200, { 'Content-Type': 'text/html' });
  // ruleid: js-express-reflected-xss
  res.write(`<p>${req.body.prompt}</p>`);
});

module.exports = { Pages };

app.post('/v1/stream', (req, res) => {
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  // ok: js-express-reflected-xss
  res.write(`data: ${JSON.stringify({ text: req.body.prompt })}\n\n`);
  res.end();
});

// red162: declared JSON, then HTML through Express's other setters
app.get('/json-then-content-type', (req, res) => {
  res.set('Content-Type', 'application/json');
  res.contentType('text/html');
  // ruleid: js-express-reflected-xss
  res.send(`<p>${req.query.q}</p>`);
});

app.get('/json-then-set-object', (req, res) => {
  res.setHeader('Content-Type', 'application/json');
  res.set({ 'Content-Type': 'text/html', 'Cache-Control': 'no-store' });
  // ruleid: js-express-reflected-xss
  res.send(`<p>${req.query.q}</p>`);
});

app.get('/json-then-header-object', (req, res) => {
  res.header('Content-Type', 'application/json');
  res.header({ 'Content-Type': 'text/html' });
  // ruleid: js-express-reflected-xss
  res.send(`<p>${req.query.q}</p>`);
});
