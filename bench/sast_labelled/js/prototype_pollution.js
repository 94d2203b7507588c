const _ = require('lodash');
const app = require('express')();
const config = { theme: 'light' };

app.post('/config', (req, res) => {
  // vuln: prototype-pollution
  _.merge(config, req.body);
  res.json(config);
});

app.post('/set', (req, res) => {
  // vuln: prototype-pollution
  _.set(config, req.body.key, req.body.value);
  res.json(config);
});

app.post('/deep', (req, res) => {
  const { group, name, value } = req.body;
  // vuln: prototype-pollution
  config[group][name] = value;
  res.end();
});

app.post('/safe', (req, res) => {
  // safe: prototype-pollution
  config.theme = String(req.body.theme);
  res.json(config);
});
