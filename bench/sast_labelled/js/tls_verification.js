const https = require('https');
const axios = require('axios');

// vuln: tls-verification
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

function client() {
  // vuln: tls-verification
  return new https.Agent({ rejectUnauthorized: false });
}

function fetchIt(url) {
  // vuln: tls-verification
  return axios.get(url, { httpsAgent: new https.Agent({ rejectUnauthorized: false }) });
}

function safeClient() {
  // safe: tls-verification
  return new https.Agent({ keepAlive: true });
}

module.exports = { client, fetchIt, safeClient };
