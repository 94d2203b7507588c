const express = require('express');
const axios = require('axios');
const got = require('got');

const app = express();
const ALLOWED_HOSTS = ['api.github.com', 'hooks.slack.com'];

app.get('/preview', async (req, res) => {
  // ruleid: js-ssrf-request-url
  const page = await fetch(req.query.url);
  res.send(await page.text());
});

app.post('/webhook/test', async (req, res) => {
  const { callbackUrl } = req.body;
  // ruleid: js-ssrf-request-url
  await axios.post(callbackUrl, { ok: true });
  res.json({ ok: true });
});

app.get('/image', async (req, res) => {
  const target = new URL(req.query.src);
  // ruleid: js-ssrf-request-url
  const body = await got(target.href).buffer();
  res.type('png').send(body);
});

app.post('/models', async (req, res) => {
  const base = req.body.baseUrl;
  // ruleid: js-ssrf-request-url
  const r = await axios({ method: 'get', url: `${base}/v1/models` });
  res.json(r.data);
});

app.get('/warn-only', async (req, res) => {
  const url = req.query.url;
  if (!ALLOWED_HOSTS.includes(new URL(url).hostname)) {
    console.warn('unexpected host');
  }
  // ruleid: js-ssrf-request-url
  res.send(await (await fetch(url)).text());
});

app.get('/user', async (req, res) => {
  // ok: js-ssrf-request-url
  const r = await fetch(`https://api.github.com/users/${encodeURIComponent(req.query.name)}`);
  res.json(await r.json());
});

app.get('/repo', async (req, res) => {
  // ok: js-ssrf-request-url
  const r = await axios.get('https://api.github.com/repos/' + req.params.owner + '/' + req.params.repo);
  res.json(r.data);
});

app.get('/checked', async (req, res) => {
  const url = req.query.url;
  if (!ALLOWED_HOSTS.includes(new URL(url).hostname)) {
    return res.status(400).send('host not allowed');
  }
  // ok: js-ssrf-request-url
  res.send(await (await fetch(url)).text());
});

app.get('/validated', async (req, res) => {
  const { url } = req.query;
  if (!isAllowedUrl(url)) return res.sendStatus(400);
  // ok: js-ssrf-request-url
  const r = await axios.get(url);
  res.json(r.data);
});

app.get('/forward', async (req, res) => {
  // ruleid: js-ssrf-request-url
  const r = await fetch(new Request(req.query.target, { method: 'GET' }));
  res.send(await r.text());
});

app.get('/other-checked', async (req, res) => {
  const avatar = req.query.avatar;
  if (!ALLOWED_HOSTS.includes(new URL(avatar).hostname)) {
    return res.sendStatus(400);
  }
  // ruleid: js-ssrf-request-url
  res.send(await (await fetch(req.query.feed)).text());
});

async function handleFetch({ event, request, fetch }) {
  const headers = new Headers(request.headers);
  headers.set('cookie', event.request.headers.get('cookie'));
  // ok: js-ssrf-request-url
  return fetch(new Request(request, { headers }));
}

async function refresh(url) {
  // ok: js-ssrf-request-url
  return fetch(url);
}

module.exports = { app, refresh, handleFetch };

// red164: sanitizers that did not hold
app.get('/deny-list', async (req, res) => {
  const url = req.query.url;
  if (!BLOCKED_HOSTS.includes(new URL(url).hostname)) {
    // ruleid: js-ssrf-request-url
    res.send(await (await fetch(url)).text());
  }
});

app.get('/rechecked-name', async (req, res) => {
  let url = req.query.next;
  if (!ALLOWED_HOSTS.includes(new URL(url).hostname)) {
    return res.sendStatus(400);
  }
  url = req.query.other;
  // ruleid: js-ssrf-request-url
  res.send(await (await fetch(url)).text());
});

app.get('/literal-first', async (req, res) => {
  // ruleid: js-ssrf-request-url
  res.send(await (await fetch('https://api.example.com/' && req.query.u)).text());
});

app.get('/template-replaced', async (req, res) => {
  // ruleid: js-ssrf-request-url
  res.send(await (await fetch(`https://api.example.com/`.replace(/.*/, req.query.u))).text());
});
