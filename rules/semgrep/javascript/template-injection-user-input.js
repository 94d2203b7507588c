const ejs = require('ejs');
const pug = require('pug');
const Handlebars = require('handlebars');
const _ = require('lodash');
const nunjucks = require('nunjucks');
const app = require('express')();

app.post('/preview', (req, res) => {
  // ruleid: js-template-injection-user-input
  res.send(ejs.render(req.body.template, { user: req.user }));
});

app.get('/greet', (req, res) => {
  // ruleid: js-template-injection-user-input
  const fn = pug.compile('p Hello ' + req.query.name);
  res.send(fn());
});

app.post('/mail', (req, res) => {
  const { body } = req.body;
  // ruleid: js-template-injection-user-input
  const tpl = Handlebars.compile(body);
  res.send(tpl({}));
});

app.get('/lodash', (req, res) => {
  // ruleid: js-template-injection-user-input
  res.send(_.template(`<p>${req.query.msg}</p>`)({}));
});

app.get('/nunjucks', (req, res) => {
  // ruleid: js-template-injection-user-input
  res.send(nunjucks.renderString(req.query.t, {}));
});

app.get('/view', (req, res) => {
  // ruleid: js-template-injection-user-input
  res.render(req.query.page);
});

app.get('/safe', (req, res) => {
  // ok: js-template-injection-user-input
  res.send(ejs.render('<p><%= name %></p>', { name: req.query.name }));
});

app.get('/safe-view', (req, res) => {
  // ok: js-template-injection-user-input
  res.render('profile', { name: req.query.name });
});
