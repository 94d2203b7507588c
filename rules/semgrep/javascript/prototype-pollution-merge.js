const _ = require('lodash');
const merge = require('deepmerge');
const app = require('express')();
const settings = {};

app.post('/settings', (req, res) => {
  // ruleid: js-prototype-pollution-merge
  _.merge(settings, req.body);
  res.json(settings);
});

app.put('/prefs', (req, res) => {
  const prefs = req.body.prefs;
  // ruleid: js-prototype-pollution-merge
  const merged = merge(settings, prefs);
  res.json(merged);
});

app.post('/path', (req, res) => {
  // ruleid: js-prototype-pollution-merge
  _.set(settings, req.body.path, req.body.value);
  res.end();
});

app.post('/nested', (req, res) => {
  const { section, key, value } = req.body;
  // ruleid: js-prototype-pollution-merge
  settings[section][key] = value;
  res.end();
});

app.post('/jq', (req, res) => {
  // ruleid: js-prototype-pollution-merge
  $.extend(true, settings, req.query);
  res.end();
});

app.post('/picked', (req, res) => {
  const { theme, lang } = req.body;
  // ok: js-prototype-pollution-merge
  Object.assign(settings, { theme: String(theme), lang: String(lang) });
  res.end();
});

function defaults() {
  // ok: js-prototype-pollution-merge
  return _.merge({}, settings, { theme: 'dark' });
}
