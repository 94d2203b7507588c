const cors = require('cors');
const app = require('express')();

app.use((req, res, next) => {
  // ruleid: js-cors-reflected-origin
  res.setHeader('Access-Control-Allow-Origin', req.headers.origin);
  next();
});

app.use((req, res, next) => {
  // ruleid: js-cors-reflected-origin
  res.header('access-control-allow-origin', req.get('origin'));
  next();
});

// ruleid: js-cors-reflected-origin
app.use(cors({ origin: true }));

const ALLOWED = ['https://app.example.com'];
app.use((req, res, next) => {
  if (ALLOWED.includes(req.headers.origin)) {
    // ok: js-cors-reflected-origin
    res.setHeader('Access-Control-Allow-Origin', ALLOWED[ALLOWED.indexOf(req.headers.origin)]);
  }
  next();
});

// ok: js-cors-reflected-origin
app.use(cors({ origin: ['https://app.example.com'] }));
