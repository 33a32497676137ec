import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import * as lark from '@larksuiteoapi/node-sdk';
import { constantTimeEqualHex, decryptPayload, eventSignature } from '../../src/lark/crypto';

export const FIXTURES = fileURLToPath(new URL('../fixtures/lark', import.meta.url));

export function fixture(name: string): any {
  return JSON.parse(readFileSync(`${FIXTURES}/${name}.json`, 'utf8'));
}

/** The key layout of a JSON value: objects by sorted keys, arrays by their first element, leaves by type. */
export function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length > 0 ? [shape(v[0])] : [];
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, shape(o[k])]),
    );
  }
  return v === null ? 'null' : typeof v;
}

/** A token cache per client, so clients of different emulators never share the SDK's global cache. */
export function memoryCache(): lark.Cache & { clear(): void } {
  const values = new Map<string, { value: unknown; expire?: number }>();
  const key = (k: string | symbol, ns?: string) => `${ns ?? ''}/${String(k)}`;
  return {
    async get(k, o) {
      const hit = values.get(key(k as string | symbol, o?.namespace));
      return hit && (!hit.expire || hit.expire > Date.now()) ? hit.value : undefined;
    },
    async set(k, value, expire, o) {
      values.set(key(k as string | symbol, o?.namespace), { value, ...(expire ? { expire } : {}) });
      return true;
    },
    clear() {
      values.clear();
    },
  };
}

const silent = { error() {}, warn() {}, info() {}, debug() {}, trace() {} };

export function sdkClient(domain: string, appId: string, appSecret: string, cache = memoryCache()) {
  return new lark.Client({
    appId,
    appSecret,
    domain,
    loggerLevel: lark.LoggerLevel.error,
    logger: silent,
    cache,
  });
}

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  raw: string;
  signatureOk: boolean | undefined;
  body: any;
}

/** A stand-in for the app: checks the signature over the raw body, decrypts, records, answers via `answer`. */
export async function startReceiver(encryptKey: string | undefined) {
  const received: Received[] = [];
  let answer: (
    r: Received,
  ) => { status?: number; json?: unknown } | Promise<{ status?: number; json?: unknown }> = () => ({
    json: {},
  });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const ts = req.headers['x-lark-request-timestamp'];
      const nonce = req.headers['x-lark-request-nonce'];
      const sig = req.headers['x-lark-signature'];
      const signatureOk =
        encryptKey && typeof ts === 'string' && typeof nonce === 'string' && typeof sig === 'string'
          ? constantTimeEqualHex(eventSignature(ts, nonce, encryptKey, raw), sig)
          : undefined;
      const parsed = JSON.parse(raw);
      const body =
        encryptKey && parsed.encrypt ? JSON.parse(decryptPayload(parsed.encrypt, encryptKey)) : parsed;
      const r: Received = { path: req.url ?? '', headers: req.headers, raw, signatureOk, body };
      received.push(r);
      if (signatureOk === false) {
        res.writeHead(401).end();
        return;
      }
      if (body.type === 'url_verification') {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ challenge: body.challenge }));
        return;
      }
      const a = await answer(r);
      res
        .writeHead(a.status ?? 200, { 'content-type': 'application/json' })
        .end(JSON.stringify(a.json ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    eventUrl: `http://127.0.0.1:${port}/lark/event`,
    cardUrl: `http://127.0.0.1:${port}/lark/card`,
    received,
    answerWith(f: typeof answer) {
      answer = f;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
