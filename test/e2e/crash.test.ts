import { type ChildProcess, execFile } from 'node:child_process';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LarkEmulator } from '../../src/sandbox/emulator';
import { appEnv, OFFICER, startEmulator } from '../support/harness';
import { freePort, startProcess } from '../support/process';
import { tempDbPath } from '../support/stores';

function runTick(
  args: string[],
  env: Record<string, string>,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/tick.ts', ...args],
      { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 30_000 },
      (err, stdout, stderr) =>
        resolve({ status: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
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

  /** A real process that records the event, answers 200, and is killed before handling it. */
  async function acceptThenKill() {
    const port = await freePort();
    const dbPath = tempDbPath();
    const env = appEnv(emu, dbPath, { PORT: String(port) });
    emu.connectApp({
      eventUrl: `http://127.0.0.1:${port}/webhook/event`,
      cardUrl: `http://127.0.0.1:${port}/webhook/card`,
    });
    const first = await startProcess({ ...env, RC_FAULTS: 'kill-after-ack' });
    children.push(first.child);
    const sent = await emu.sendText(OFFICER.openId, '帮助');
    expect(sent.status).toBe(200);
    await first.exited;
    expect(first.child.signalCode).toBe('SIGKILL');
    return { env, dbPath, sent };
  }

  it('is handled after restart exactly once', async () => {
    const { env, dbPath, sent } = await acceptThenKill();
    expect(emu.messages({ openId: OFFICER.openId })).toHaveLength(0);
    const db = new Database(dbPath, { readonly: true });
    expect(db.prepare('select status from inbox where event_id = ?').get(sent.eventId)).toEqual({
      status: 'pending',
    });
    db.close();

    const second = await startProcess(env);
    children.push(second.child);
    const reply = await emu.waitFor(
      () => emu.messages({ openId: OFFICER.openId }).find((m) => m.replyTo === sent.messageId),
      10_000,
    );
    expect(JSON.stringify(reply.content)).toContain('申请容错');

    // The platform retries the same event after the restart: nothing more happens.
    const retried = await emu.deliver(sent.envelope);
    expect(retried.status).toBe(200);
    const probe = await emu.sendText(OFFICER.openId, '帮助');
    await emu.waitFor(
      () => emu.messages({ openId: OFFICER.openId }).find((m) => m.replyTo === probe.messageId),
      10_000,
    );
    expect(emu.messages({ openId: OFFICER.openId }).filter((m) => m.replyTo === sent.messageId)).toHaveLength(
      1,
    );
    second.child.kill('SIGTERM');
    await second.exited;
  }, 60_000);

  it('npm run tick -- --now handles what a killed process left and exits', async () => {
    const { env, sent } = await acceptThenKill();

    // Asynchronously: the emulator lives in this process and must keep answering.
    const run = await runTick(['--now', '2026-12-01T09:00:00+08:00'], { ...env, LOG_LEVEL: 'error' });
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    expect(report).toMatchObject({ now: '2026-12-01T01:00:00.000Z', recovered: 1 });
    expect(emu.messages({ openId: OFFICER.openId }).filter((m) => m.replyTo === sent.messageId)).toHaveLength(
      1,
    );

    const bad = await runTick(['--now', 'yesterday'], env);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--now 不是有效的 ISO-8601 时间');
  }, 60_000);
});
