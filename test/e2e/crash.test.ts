import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LarkEmulator } from '../../src/sandbox/emulator';
import { appEnv, OFFICER, startEmulator } from '../support/harness';
import { tempDbPath } from '../support/stores';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Starts `npm start`'s entry point as a real process and waits until it answers /healthz. */
async function startProcess(env: Record<string, string>): Promise<{ child: ChildProcess; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/runtime/node.ts'], {
    env: { ...process.env, ...env, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${env.PORT}/healthz`;
  for (let i = 0; i < 200; i++) {
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return { child, exited };
    if (child.exitCode !== null) throw new Error('process exited during start');
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error('process did not start');
}

describe('an event accepted and then interrupted by a process kill', () => {
  let emu: LarkEmulator;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await emu?.close();
  });

  it('is handled after restart exactly once', async () => {
    const port = await freePort();
    const dbPath = tempDbPath();
    const env = appEnv(emu, dbPath, { PORT: String(port) });
    emu.connectApp({ eventUrl: `http://127.0.0.1:${port}/webhook/event`, cardUrl: `http://127.0.0.1:${port}/webhook/card` });

    const first = await startProcess({ ...env, RC_FAULTS: 'kill-after-ack' });
    children.push(first.child);
    const sent = await emu.sendText(OFFICER.openId, '帮助');
    expect(sent.status).toBe(200);
    await first.exited;
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(emu.messages({ openId: OFFICER.openId })).toHaveLength(0);
    const db = new Database(dbPath, { readonly: true });
    expect(db.prepare('select status from inbox where event_id = ?').get(sent.eventId)).toEqual({ status: 'pending' });
    db.close();

    const second = await startProcess(env);
    children.push(second.child);
    const reply = await emu.waitFor(() => emu.messages({ openId: OFFICER.openId }).find((m) => m.replyTo === sent.messageId), 10_000);
    expect(JSON.stringify(reply.content)).toContain('申请容错');

    // The platform retries the same event after the restart: nothing more happens.
    const retried = await emu.deliver(sent.envelope);
    expect(retried.status).toBe(200);
    const probe = await emu.sendText(OFFICER.openId, '帮助');
    await emu.waitFor(() => emu.messages({ openId: OFFICER.openId }).find((m) => m.replyTo === probe.messageId), 10_000);
    expect(emu.messages({ openId: OFFICER.openId }).filter((m) => m.replyTo === sent.messageId)).toHaveLength(1);
    second.child.kill('SIGTERM');
    await second.exited;
  }, 60_000);
});
