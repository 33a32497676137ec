// The side-by-side ingest runs of `npm run bench`: the floor (bare Hono), the peer (the SDK's adaptDefault)
// and the project, each its own process, fed the same signed and encrypted `帮助` events by autocannon.
// autocannon drives HTTP/1.1 keep-alive connections from raw sockets, so the load generator is not what
// limits the fastest of the three (a fetch-based client in the same process topped out below the floor).
import { Agent, createServer, type IncomingHttpHeaders, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { LarkEmulator } from '../src/sandbox/emulator';
import type { Accounting } from './bench-server';

export const PEER_ENTRY = fileURLToPath(new URL('./bench-peer.ts', import.meta.url));

/** One platform request, ready to send again: its headers and its body as signed. */
export interface Captured {
  headers: Record<string, string>;
  body: string;
}

export interface EventSet {
  requests: Captured[];
  eventIds: string[];
  messageIds: string[];
}

/** `帮助` from distinct users as the emulator signs and encrypts them, captured instead of delivered. */
export async function captureEvents(emu: LarkEmulator, users: string[], n: number): Promise<EventSet> {
  const requests: Captured[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ headers: larkHeaders(req.headers), body: Buffer.concat(chunks).toString('utf8') });
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  emu.connectApp({ eventUrl: url, cardUrl: url });
  const eventIds: string[] = [];
  const messageIds: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = next++; i < n; i = next++) {
        const r = await emu.sendText(users[i % users.length]!, '帮助');
        eventIds.push(r.eventId);
        if (r.messageId) messageIds.push(r.messageId);
      }
    }),
  );
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { requests, eventIds, messageIds };
}

function larkHeaders(h: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = { 'content-type': 'application/json' };
  for (const [k, v] of Object.entries(h)) if (k.startsWith('x-lark-') && typeof v === 'string') out[k] = v;
  return out;
}

export interface CannonRun {
  sent: number;
  ok: number;
  failed: number;
  wallMs: number;
  latencies: number[];
}

/**
 * Sends every request once at `rate` requests per second, the i-th at i/rate seconds from the start whatever
 * the answers before it, over at most `connections` keep-alive connections. Each latency runs from the
 * request's own slot, so a request that waited for a free connection counts its wait (no coordinated
 * omission). autocannon's `overallRate` cannot do this: it lets each connection send its share of a second as
 * fast as it can and then waits for the next second, so a run of one second's requests is one burst.
 */
export async function openLoop(
  url: string,
  requests: Captured[],
  opts: { connections: number; rate: number },
): Promise<CannonRun> {
  const agent = new Agent({ keepAlive: true, maxSockets: opts.connections });
  const target = new URL(`${url}/webhook/event`);
  const latencies: number[] = [];
  let ok = 0;
  let last = Number.NaN;
  const t0 = performance.now();
  const send = (r: Captured, at: number) =>
    new Promise<void>((resolve) => {
      const req = request(
        target,
        { method: 'POST', agent, headers: { ...r.headers, 'content-length': Buffer.byteLength(r.body) } },
        (res) => {
          res.resume();
          res.on('end', () => {
            last = performance.now();
            if (res.statusCode === 200) {
              ok++;
              latencies.push(last - at);
            }
            resolve();
          });
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error('timed out')));
      req.on('error', () => resolve());
      req.end(r.body);
    });
  const slot = (i: number) => t0 + (i * 1000) / opts.rate;
  const sent: Promise<void>[] = [];
  // Every turn sends what is due by now: the loop ends when every request has left, at most n turns.
  for (let i = 0; i < requests.length; ) {
    const now = performance.now();
    for (; i < requests.length && slot(i) <= now; i++) sent.push(send(requests[i]!, slot(i)));
    if (i < requests.length)
      await new Promise((r) => setTimeout(r, Math.max(0, slot(i) - performance.now())));
  }
  await Promise.all(sent);
  agent.destroy();
  return { sent: requests.length, ok, failed: requests.length - ok, wallMs: last - t0, latencies };
}

/** Sends every request once: closed loop on `connections`, or open loop at `rate` requests per second. */
export async function cannon(
  url: string,
  requests: Captured[],
  opts: {
    connections: number;
    rate?: number;
    /** Called as the last answer arrives (before autocannon's own end at its next sample). */
    onLast?: () => void;
  },
): Promise<CannonRun> {
  let i = 0;
  const latencies: number[] = [];
  // The run's window is from the first request built to the last answer received, timed here: autocannon
  // itself ends a run only at its next one-second sample, which would make every short run last whole seconds.
  let first = Number.NaN;
  let last = Number.NaN;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${url}/webhook/event`,
        connections: Math.min(opts.connections, requests.length),
        amount: requests.length,
        ...(opts.rate ? { overallRate: opts.rate } : {}),
        timeout: 30,
        requests: [
          {
            method: 'POST',
            setupRequest: (req) => {
              if (Number.isNaN(first)) first = performance.now();
              const r = requests[i++ % requests.length]!;
              return { ...req, method: 'POST', headers: r.headers, body: r.body };
            },
          },
        ],
      },
      (err, r) => (err ? reject(err) : resolve(r)),
    );
    let answered = 0;
    instance.on('response', (_client, status, _bytes, responseTime) => {
      last = performance.now();
      if (status === 200) latencies.push(responseTime);
      if (++answered === requests.length) opts.onLast?.();
    });
  });
  const wallMs = last - first;
  const ok = result['2xx'];
  return { sent: requests.length, ok, failed: requests.length - ok, wallMs, latencies };
}

/** Waits (bounded) until the project has handled every recorded event of the set. */
export async function drained(
  account: () => Promise<Accounting>,
  expected: number,
  waitMs: number,
): Promise<Accounting> {
  const until = performance.now() + waitMs;
  for (;;) {
    const a = await account();
    if (a.handled >= expected || performance.now() > until) return a;
    await new Promise((r) => setTimeout(r, 100));
  }
}
