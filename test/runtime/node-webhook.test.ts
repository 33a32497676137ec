import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawHeader } from '../../src/runtime/node-webhook';
import { APP, type Harness, OFFICER, startHarness } from '../support/harness';

/** A POST written byte for byte on a socket, header names exactly as given; the answer's status and body. */
function postRaw(url: string, path: string, headers: [string, string][], body: string) {
  const { port } = new URL(url);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    const head = [
      `POST ${path} HTTP/1.1`,
      'Host: 127.0.0.1',
      'Connection: close',
      `Content-Length: ${Buffer.byteLength(body)}`,
      ...headers.map(([k, v]) => `${k}: ${v}`),
    ].join('\r\n');
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      answer += d;
    });
    socket.on('end', () => {
      const [top = '', ...rest] = answer.split('\r\n\r\n');
      resolve({ status: Number(top.split(' ')[1]), body: rest.join('\r\n\r\n') });
    });
    socket.on('error', reject);
    socket.write(`${head}\r\n\r\n${body}`);
  });
}

/** A 帮助 from the officer, encrypted and signed as the platform does, without the project's crypto. */
function platformEvent(eventId: string, messageId: string) {
  const envelope = {
    schema: '2.0',
    header: {
      event_id: eventId,
      event_type: 'im.message.receive_v1',
      create_time: String(Date.now()),
      token: APP.verificationToken,
      app_id: APP.appId,
      tenant_key: 'tenant',
    },
    event: {
      sender: { sender_id: { open_id: OFFICER.openId }, sender_type: 'user', tenant_key: 'tenant' },
      message: {
        message_id: messageId,
        chat_id: `oc_p2p_${OFFICER.openId}`,
        chat_type: 'p2p',
        message_type: 'text',
        content: JSON.stringify({ text: '帮助' }),
        create_time: String(Date.now()),
      },
    },
  };
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', createHash('sha256').update(APP.encryptKey).digest(), iv);
  const encrypt = Buffer.concat([iv, cipher.update(JSON.stringify(envelope), 'utf8'), cipher.final()]);
  const body = JSON.stringify({ encrypt: encrypt.toString('base64') });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(8).toString('hex');
  const signature = createHash('sha256')
    .update(timestamp + nonce + APP.encryptKey)
    .update(body)
    .digest('hex');
  return { body, timestamp, nonce, signature };
}

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

  const read = <T>(sql: string, ...params: unknown[]) => {
    const db = new Database(h.dbPath, { readonly: true });
    try {
      return db.prepare(sql).get(...params) as T;
    } finally {
      db.close();
    }
  };
  const row = (eventId: string) => read('select status, outcome from inbox where event_id = ?', eventId);
  const inbox = () => read<{ n: number }>('select count(*) as n from inbox').n;

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

  it('reads the signature headers whatever their case, and a repeated one as node:http joins it', async () => {
    const ok = platformEvent('ev_header_case_1', 'om_header_case_1');
    const res = await postRaw(
      h.rt.url,
      '/webhook/event',
      [
        ['Content-Type', 'application/json'],
        ['X-Lark-Request-Timestamp', ok.timestamp],
        ['X-LARK-REQUEST-NONCE', ok.nonce],
        ['x-Lark-Signature', ok.signature],
        ['X-Forwarded-For', '127.0.0.1'],
        ['X-Forwarded-For', '127.0.0.2'],
      ],
      ok.body,
    );
    expect(res).toEqual({ status: 200, body: '{"ok":true}' });
    await h.settle();
    expect(row('ev_header_case_1')).toEqual({ status: 'done', outcome: 'help' });

    // The signature sent twice is not one of them picked: joined, it matches neither, and nothing is recorded.
    const before = inbox();
    const twice = platformEvent('ev_header_case_2', 'om_header_case_2');
    const refused = await postRaw(
      h.rt.url,
      '/webhook/event',
      [
        ['content-type', 'application/json'],
        ['x-lark-request-timestamp', twice.timestamp],
        ['x-lark-request-nonce', twice.nonce],
        ['X-Lark-Signature', twice.signature],
        ['x-lark-signature', twice.signature],
      ],
      twice.body,
    );
    expect(refused.status).toBe(401);
    expect(inbox()).toBe(before);
  });

  it('other paths and methods still go through the app', async () => {
    expect((await fetch(`${h.rt.url}/healthz`)).status).toBe(200);
    const get = await fetch(`${h.rt.url}/webhook/event`);
    expect(get.status).toBe(404);
  });
});

describe('rawHeader', () => {
  it('finds a header by its lower-case name in any case, joins repeats with ", ", and is undefined when absent', () => {
    const raw = [
      'Host',
      'x',
      'X-Lark-Signature',
      'abc',
      'x-custom',
      'a',
      'X-CUSTOM',
      'b',
      'Content-Length',
      '12',
    ];
    expect(rawHeader(raw, 'x-lark-signature')).toBe('abc');
    expect(rawHeader(raw, 'x-custom')).toBe('a, b');
    expect(rawHeader(raw, 'content-length')).toBe('12');
    expect(rawHeader(raw, 'x-lark-request-nonce')).toBeUndefined();
    expect(rawHeader([], 'host')).toBeUndefined();
  });
});
