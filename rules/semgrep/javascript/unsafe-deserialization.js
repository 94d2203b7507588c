const serialize = require('node-serialize');
const yaml = require('js-yaml');
const app = require('express')();

app.post('/profile', (req, res) => {
  const cookie = Buffer.from(req.cookies.profile, 'base64').toString();
  // ruleid: js-unsafe-deserialization
  const profile = serialize.unserialize(cookie);
  res.json(profile);
});

app.post('/config', (req, res) => {
  // ruleid: js-unsafe-deserialization
  const cfg = yaml.load(req.body, { schema: yaml.DEFAULT_FULL_SCHEMA });
  res.json(cfg);
});

app.post('/safe', (req, res) => {
  // ok: js-unsafe-deserialization
  const cfg = yaml.load(req.body);
  // ok: js-unsafe-deserialization
  const data = JSON.parse(req.body);
  res.json({ cfg, data });
});
