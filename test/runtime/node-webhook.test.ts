import { request } from 'node:http';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, OFFICER, startHarness } from '../support/harness';

/** A POST whose body is streamed in chunks, with no Content-Length: the server must count as it reads. */
function postChunked(url: string, path: string, chunks: number, chunkBytes: number) {
  return new Promise<{ status: number; body: string; connection?: string }>((resolve, reject) => {
    const req = request(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }));
    });
    // The server may close the connection before every chunk is written: that is the point.
    req.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'ECONNRESET' || err.code === 'EPIPE' ? undefined : reject(err),
    );
    const chunk = Buffer.alloc(chunkBytes, 0x41);
    let sent = 0;
    const next = () => {
      while (sent < chunks) {
        sent++;
        if (!req.write(chunk)) {
          req.once('drain', next);
          return;
        }
      }
      req.end();
    };
    next();
  });
}

// The webhook is served straight from node:http on Node (src/runtime/node-webhook.ts).
describe('the webhook on node:http', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  const inbox = () => {
    const db = new Database(h.dbPath, { readonly: true });
    try {
      return (db.prepare('select count(*) as n from inbox').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  it('a body past 1 MiB with no declared length is refused 413 as it streams, and the server goes on', async () => {
    const before = inbox();
    const res = await postChunked(h.rt.url, '/webhook/event', 40, 64 * 1024);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual({ code: 413, msg: '请求体超过 1 MiB' });
    expect(res.connection).toBe('close');
    expect(inbox()).toBe(before);
    // The next event is answered as usual.
    const sent = await h.emu.sendText(OFFICER.openId, '帮助');
    expect(sent.status).toBe(200);
    await h.settle();
    expect(h.emu.messages({ openId: OFFICER.openId }).some((m) => m.replyTo === sent.messageId)).toBe(true);
  });

  it('a small body with no declared length is read whole and verified like any other', async () => {
    const res = await postChunked(h.rt.url, '/webhook/card', 2, 10);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ code: 400, msg: '请求格式错误' });
  });

  it('other paths and methods still go through the app', async () => {
    expect((await fetch(`${h.rt.url}/healthz`)).status).toBe(200);
    const get = await fetch(`${h.rt.url}/webhook/event`);
    expect(get.status).toBe(404);
  });
});
