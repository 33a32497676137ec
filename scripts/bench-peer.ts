// The two servers the project is measured beside, as their own processes: `BENCH_PEER=floor` is bare Hono on
// @hono/node-server that reads the body and returns JSON; `BENCH_PEER=sdk` is the SDK's own adapter
// (`adaptDefault`) on node:http with a no-op handler, verifying and decrypting like the platform expects.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import * as lark from '@larksuiteoapi/node-sdk';
import { Hono } from 'hono';

const peer = process.env.BENCH_PEER ?? 'floor';
const send = (m: unknown) => process.send?.(m);

function floor() {
  const app = new Hono();
  app.post('/webhook/event', async (c) => {
    await c.req.arrayBuffer();
    return c.json({ ok: true });
  });
  return serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
}

function sdk() {
  const dispatcher = new lark.EventDispatcher({
    encryptKey: process.env.LARK_ENCRYPT_KEY,
    verificationToken: process.env.LARK_VERIFICATION_TOKEN,
    loggerLevel: lark.LoggerLevel.error,
  }).register({ 'im.message.receive_v1': async () => {} });
  const server = createServer(lark.adaptDefault('/webhook/event', dispatcher, { autoChallenge: true }));
  server.listen(0, '127.0.0.1');
  return server;
}

const server = peer === 'sdk' ? sdk() : floor();
server.once('listening', () => {
  send({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});
process.on('message', (req: { id: number; op: string }) => {
  if (req.op === 'close') {
    send({ type: 'reply', id: req.id, ok: true, result: null });
    setTimeout(() => process.exit(0), 20);
  } else if (req.op === 'mem') {
    const m = process.memoryUsage();
    send({ type: 'reply', id: req.id, ok: true, result: { rss: m.rss, heapUsed: m.heapUsed } });
  } else send({ type: 'reply', id: req.id, ok: true, result: null });
});
process.on('disconnect', () => process.exit(0));
