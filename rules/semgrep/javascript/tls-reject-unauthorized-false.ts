import https from 'https';
import axios from 'axios';
import tls from 'tls';

export function positives(host: string) {
  // ruleid: js-tls-reject-unauthorized-false
  const agent = new https.Agent({ rejectUnauthorized: false });
  const client = axios.create({ httpsAgent: agent });
  // ruleid: js-tls-reject-unauthorized-false
  const socket = tls.connect({ host, port: 443, rejectUnauthorized: false });
  const opts: https.RequestOptions = { host };
  // ruleid: js-tls-reject-unauthorized-false
  opts.rejectUnauthorized = false;
  // ruleid: js-tls-reject-unauthorized-false
  const legacy = { url: `https://${host}`, strictSSL: false };
  // ruleid: js-tls-reject-unauthorized-false
  const anyHost = tls.connect({ host, port: 443, checkServerIdentity: () => undefined });
  return [client, socket, opts, legacy, anyHost];
}

export function negatives(host: string, caPem: string, connect: any) {
  // ok: js-tls-reject-unauthorized-false
  const agent = new https.Agent({ ca: caPem });
  // ok: js-tls-reject-unauthorized-false
  const socket = tls.connect({ host, port: 443, rejectUnauthorized: true });
  // ok: js-tls-reject-unauthorized-false
  const opts = { host, strictSSL: true };
  // ok: js-tls-reject-unauthorized-false
  expect(connect).toHaveBeenCalledWith({ host, rejectUnauthorized: false });
  return [agent, socket, opts];
}

// ok: js-tls-reject-unauthorized-false
vi.mock('undici', () => ({ Agent: class { constructor() { this.options = { rejectUnauthorized: false }; } } }));
