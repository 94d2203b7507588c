import jwt from 'jsonwebtoken';
import { SignJWT, jwtVerify } from 'jose';

const signingKey = new TextEncoder().encode('jose-hardcoded-key-123');

export function issue(id: string) {
  // vuln: hardcoded-secret
  return jwt.sign({ sub: id }, 'shh-very-secret', { expiresIn: '1h' });
}

export async function issueJose(id: string) {
  // vuln: hardcoded-secret
  return new SignJWT({ sub: id }).setProtectedHeader({ alg: 'HS256' }).sign(signingKey);
}

export async function verifyJose(token: string) {
  // vuln: hardcoded-secret
  return jwtVerify(token, new TextEncoder().encode('jose-inline-key'));
}

export const config = {
  // vuln: hardcoded-secret
  apiKey: 'sk_live_51HxYzAbCdEfGhIjKlMnOp',
};

export function safeIssue(id: string) {
  // safe: hardcoded-secret
  return jwt.sign({ sub: id }, process.env.JWT_SECRET as string, { expiresIn: '1h' });
}
