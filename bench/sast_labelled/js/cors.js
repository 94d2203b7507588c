const cors = require('cors');
const app = require('express')();

// vuln: cors
app.use(cors({ origin: '*', credentials: true }));

app.use((req, res, next) => {
  // vuln: cors
  res.set('Access-Control-Allow-Origin', req.headers.origin);
  res.set('Access-Control-Allow-Credentials', 'true');
  next();
});

// vuln: cors
app.use(cors({ origin: true }));

// safe: cors
app.use(cors({ origin: ['https://app.example.com'], credentials: true }));
