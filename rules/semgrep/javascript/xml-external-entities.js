const libxmljs = require('libxmljs');
const app = require('express')();

app.post('/import', (req, res) => {
  // ruleid: js-xml-external-entities
  const doc = libxmljs.parseXml(req.body, { noent: true });
  res.send(doc.root().name());
});

app.post('/import2', (req, res) => {
  // ruleid: js-xml-external-entities
  const doc = libxmljs.parseXmlString(req.body, { dtdload: true, noblanks: true });
  res.send(doc.root().name());
});

app.post('/safe', (req, res) => {
  // ok: js-xml-external-entities
  const doc = libxmljs.parseXml(req.body, { noblanks: true });
  res.send(doc.root().name());
});
