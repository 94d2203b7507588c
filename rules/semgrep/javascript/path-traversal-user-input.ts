import { readFile, writeFile } from 'fs/promises';
import * as path from 'path';
import { NextRequest } from 'next/server';

const ROOT = '/srv/data';

export async function GET(request: NextRequest) {
  const name = request.nextUrl.searchParams.get('name');
  // ruleid: js-path-traversal-user-input
  const data = await readFile(path.join(ROOT, name as string));
  return new Response(data);
}

export async function POST(request: Request) {
  const body = await request.json();
  // ruleid: js-path-traversal-user-input
  await writeFile(`${ROOT}/${body.file}`, body.content);
  return new Response('saved');
}

export async function PUT(request: NextRequest) {
  const name = path.basename(request.nextUrl.searchParams.get('name') ?? '');
  // ok: js-path-traversal-user-input
  await writeFile(path.join(ROOT, name), 'x');
  return new Response('ok');
}

export async function DELETE() {
  // ok: js-path-traversal-user-input
  const data = await readFile(path.join(ROOT, 'index.json'));
  return new Response(data);
}
