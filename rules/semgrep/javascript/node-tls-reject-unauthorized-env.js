const { spawn } = require('child_process');

// ruleid: js-node-tls-reject-unauthorized-env
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
// ruleid: js-node-tls-reject-unauthorized-env
process.env["NODE_TLS_REJECT_UNAUTHORIZED"] = 0;
// ruleid: js-node-tls-reject-unauthorized-env
spawn('node', ['worker.js'], { env: { ...process.env, NODE_TLS_REJECT_UNAUTHORIZED: '0' } });

// ok: js-node-tls-reject-unauthorized-env
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '1';
// ok: js-node-tls-reject-unauthorized-env
process.env.NODE_EXTRA_CA_CERTS = '/etc/ssl/internal-ca.pem';
// ok: js-node-tls-reject-unauthorized-env
delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
