import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the proxy does with one Open API call: pass it on, answer 500 or a rate limit without passing it on,
 * or never answer, either before the platform saw the call or after it acted on it (the worst case: the
 * message exists, the sender does not know).
 */
export type LarkFault = 'pass' | '500' | 'rate-limit' | 'hang-before' | 'hang-after';

export interface FaultyLark {
  url: string;
  /** Calls answered with each fault, by fault. */
  injected: Record<LarkFault, number>;
  close(): Promise<void>;
}

/** A loopback proxy in front of the emulator that misbehaves as `decide` says, for message calls only. */
export async function startFaultyLark(
  upstream: string,
  decide: (path: string) => LarkFault,
): Promise<FaultyLark> {
  const injected: Record<LarkFault, number> = {
    pass: 0,
    '500': 0,
    'rate-limit': 0,
    'hang-before': 0,
    'hang-after': 0,
  };
  const hung = new Set<ServerResponse>();
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = req.url ?? '/';
    const fault = path.startsWith('/open-apis/im/') ? decide(path) : 'pass';
    injected[fault]++;
    if (fault === '500') {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('upstream error');
      return;
    }
    if (fault === 'rate-limit') {
      res
        .writeHead(429, {
          'content-type': 'application/json',
          'x-ogw-ratelimit-limit': '50',
          'x-ogw-ratelimit-reset': '1',
        })
        .end(JSON.stringify({ code: 99991400, msg: 'request trigger frequency limit' }));
      return;
    }
    if (fault === 'hang-before') {
      hung.add(res);
      return;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
    const answer = await fetch(`${upstream}${path}`, {
      method: req.method ?? 'GET',
      headers,
      ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
    });
    const body = Buffer.from(await answer.arrayBuffer());
    if (fault === 'hang-after') {
      hung.add(res);
      return;
    }
    const out: Record<string, string> = {};
    answer.headers.forEach((v, k) => {
      if (k !== 'content-length' && k !== 'transfer-encoding' && k !== 'content-encoding') out[k] = v;
    });
    res.writeHead(answer.status, out).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    injected,
    async close() {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A small seeded generator (mulberry32): the same seed injects the same faults. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
