import { SignJWT, jwtVerify, createSecretKey } from 'jose';
import * as jose from 'jose';
import { sign, verify } from 'jsonwebtoken';
import jwt from 'jsonwebtoken';

const key = new TextEncoder().encode('my-jose-signing-key');

export async function issue(userId: string) {
  // ruleid: js-jwt-hardcoded-secret-jose
  return new SignJWT({ sub: userId }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('2h').sign(key);
}

export async function issueInline(userId: string) {
  // ruleid: js-jwt-hardcoded-secret-jose
  return new SignJWT({ sub: userId }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('inline-secret'));
}

export async function check(token: string) {
  // ruleid: js-jwt-hardcoded-secret-jose
  return jose.jwtVerify(token, new TextEncoder().encode('inline-secret'));
}

export async function checkBuffer(token: string) {
  // ruleid: js-jwt-hardcoded-secret-jose
  return jwtVerify(token, createSecretKey(Buffer.from('buffer-secret', 'utf8')));
}

export function named(userId: string, token: string) {
  // ruleid: js-jwt-hardcoded-secret-jose
  const t = sign({ sub: userId }, 'named-import-secret');
  // ruleid: js-jwt-hardcoded-secret-jose
  verify(token, 'named-import-secret');
  return t;
}

export async function fromEnv(userId: string, token: string) {
  const secret = new TextEncoder().encode(process.env.JWT_SECRET);
  // ok: js-jwt-hardcoded-secret-jose
  await new SignJWT({ sub: userId }).setProtectedHeader({ alg: 'HS256' }).sign(secret);
  // ok: js-jwt-hardcoded-secret-jose
  await jwtVerify(token, secret);
  // ok: js-jwt-hardcoded-secret-jose
  return jwt.sign({ sub: userId }, process.env.JWT_SECRET as string);
}

export function joseV2(token: string) {
  const { JWK, JWT } = require('jose');
  const secret = 'v2-shared-secret';
  // ruleid: js-jwt-hardcoded-secret-jose
  const t = JWT.sign({ foo: 'bar' }, JWK.asKey(secret));
  // ruleid: js-jwt-hardcoded-secret-jose
  JWT.verify(token, 'v2-inline-secret');
  // ok: js-jwt-hardcoded-secret-jose
  JWT.verify(token, JWK.asKey(process.env.JWT_KEY));
  return t;
}
