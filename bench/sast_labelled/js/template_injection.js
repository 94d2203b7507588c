const ejs = require('ejs');
const Handlebars = require('handlebars');
const app = require('express')();

app.post('/render', (req, res) => {
  // vuln: template-injection
  const html = ejs.render(req.body.source, { user: req.user });
  res.send(html);
});

app.get('/card', (req, res) => {
  // vuln: template-injection
  const tpl = Handlebars.compile('<div>' + req.query.title + '</div>');
  res.send(tpl({}));
});

app.get('/safe', (req, res) => {
  // safe: template-injection
  res.send(ejs.render('<h1><%= title %></h1>', { title: req.query.title }));
});
