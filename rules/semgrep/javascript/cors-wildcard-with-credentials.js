const express = require('express');
const cors = require('cors');

const app = express();

// ruleid: js-cors-wildcard-with-credentials
app.use(cors({ origin: '*', credentials: true }));
// ruleid: js-cors-wildcard-with-credentials
app.use(cors({ credentials: true, origin: true }));
app.use(
  // ruleid: js-cors-wildcard-with-credentials
  cors({ origin: (origin, callback) => callback(null, true), credentials: true }),
);

app.use((req, res, next) => {
  res.setHeader('Access-Control-Allow-Origin', req.headers.origin);
  // ruleid: js-cors-wildcard-with-credentials
  res.setHeader('Access-Control-Allow-Credentials', 'true');
  next();
});

app.use((req, res, next) => {
  res.header('Access-Control-Allow-Credentials', true);
  // ruleid: js-cors-wildcard-with-credentials
  res.header('access-control-allow-origin', req.get('origin'));
  next();
});

// ok: js-cors-wildcard-with-credentials
app.use(cors({ origin: ['https://app.example.com'], credentials: true }));
// ok: js-cors-wildcard-with-credentials
app.use(cors({ origin: '*' }));
// ok: js-cors-wildcard-with-credentials
app.use(cors());

app.use((req, res, next) => {
  // ok: js-cors-wildcard-with-credentials
  res.setHeader('Access-Control-Allow-Origin', 'https://app.example.com');
  res.setHeader('Access-Control-Allow-Credentials', 'true');
  next();
});
