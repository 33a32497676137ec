import { type ChildProcess, execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
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
  async function acceptThenKill(text = '帮助', from = OFFICER.openId) {
    const port = await freePort();
    const dbPath = tempDbPath();
    const env = appEnv(emu, dbPath, { PORT: String(port) });
    emu.connectApp({
      eventUrl: `http://127.0.0.1:${port}/webhook/event`,
      cardUrl: `http://127.0.0.1:${port}/webhook/card`,
    });
    const first = await startProcess({ ...env, RC_FAULTS: 'kill-after-ack' });
    children.push(first.child);
    const sent = await emu.sendText(from, text);
    expect(sent.status).toBe(200);
    await first.exited;
    expect(first.child.signalCode).toBe('SIGKILL');
    return { env, dbPath, sent };
  }

  it('is handled after restart exactly once', async () => {
    const { env, dbPath, sent } = await acceptThenKill();
    expect(emu.messages({ openId: OFFICER.openId })).toHaveLength(0);
    const db = new Database(dbPath, { readonly: true });
    const pending = db.prepare('select status, payload from inbox where event_id = ?').get(sent.eventId) as {
      status: string;
      payload: string;
    };
    expect(pending.status).toBe('pending');
    // What was recorded is the whole event as the platform sent it: the restart handles it from the row.
    expect(JSON.parse(pending.payload)).toEqual(sent.envelope);
    db.close();

    const second = await startProcess(env);
    children.push(second.child);
    const reply = await emu.waitFor(
      () => emu.messages({ openId: OFFICER.openId }).find((m) => m.replyTo === sent.messageId),
      30_000,
    );
    expect(JSON.stringify(reply.content)).toContain('申请容错');

    // The platform retries the same event after the restart: nothing more happens.
    const retried = await emu.deliver(sent.envelope);
    expect(retried.status).toBe(200);
    const probe = await emu.sendText(OFFICER.openId, '帮助');
    await emu.waitFor(
      () => emu.messages({ openId: OFFICER.openId }).find((m) => m.replyTo === probe.messageId),
      30_000,
    );
    expect(emu.messages({ openId: OFFICER.openId }).filter((m) => m.replyTo === sent.messageId)).toHaveLength(
      1,
    );
    second.child.kill('SIGTERM');
    await second.exited;
  }, 60_000);

  it('an anonymous 「举报」 cut off before its answer is not answered later: the reporter starts again', async () => {
    const reporter = { openId: 'ou_crash_reporter_3f2e1d', name: '匿名丁' };
    emu.addUser(reporter);
    const { env, dbPath, sent } = await acceptThenKill('举报', reporter.openId);
    const second = await startProcess(env);
    children.push(second.child);
    // Startup recovery finds the record: it has nobody to answer, so it is closed unhandled.
    const row = () => {
      const db = new Database(dbPath, { readonly: true });
      try {
        return db
          .prepare('select status, outcome, payload from inbox where event_id = ?')
          .get(sent.eventId) as
          | { status: string; outcome: string | null; payload: string | null }
          | undefined;
      } finally {
        db.close();
      }
    };
    expect(await emu.waitFor(() => row()?.status === 'done' && row(), 30_000)).toEqual({
      status: 'done',
      outcome: 'anonymous:unanswered',
      payload: null,
    });
    expect(emu.messages({ openId: reporter.openId }).filter((m) => m.from === 'app')).toHaveLength(0);
    for (const f of readdirSync(dirname(dbPath))) {
      const bytes = readFileSync(join(dirname(dbPath), f));
      for (const n of [reporter.openId, sent.messageId ?? '', emu.p2pChatId(reporter.openId)].filter(Boolean))
        expect(bytes.includes(Buffer.from(n)), `${f} holds ${n}`).toBe(false);
    }
    // Starting again works.
    await emu.sendText(reporter.openId, '举报');
    const choose = await emu.waitFor(
      () => emu.messages({ openId: reporter.openId }).find((m) => m.from === 'app'),
      30_000,
    );
    expect(JSON.stringify(choose.content)).toContain('匿名举报');
    second.child.kill('SIGTERM');
    await second.exited;
  }, 60_000);

  /** The killed process accepted its event a minute ago: long past the accepter's in-flight window. */
  function ageInbox(dbPath: string, eventId: string) {
    const db = new Database(dbPath);
    db.prepare('update inbox set received_at = ? where event_id = ?').run(Date.now() - 60_000, eventId);
    db.close();
  }

  // `--now` simulates business time; how long an event has waited is measured on the real clock, so a
  // simulated day far before or far after today still recovers the event, once.
  for (const [when, now, iso] of [
    ['far in the past', '2001-03-05T09:00:00+08:00', '2001-03-05T01:00:00.000Z'],
    ['far in the future', '2099-06-01T09:00:00+08:00', '2099-06-01T01:00:00.000Z'],
  ] as const) {
    it(`npm run tick -- --now ${when} handles what a killed process left, exactly once, and exits`, async () => {
      const { env, dbPath, sent } = await acceptThenKill();
      ageInbox(dbPath, sent.eventId);

      // Asynchronously: the emulator lives in this process and must keep answering.
      const run = await runTick(['--now', now], { ...env, LOG_LEVEL: 'error' });
      expect(run.status).toBe(0);
      const report = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
      expect(report).toMatchObject({ now: iso, recovered: 1 });
      const replies = () =>
        emu.messages({ openId: OFFICER.openId }).filter((m) => m.replyTo === sent.messageId);
      expect(replies()).toHaveLength(1);
      expect(JSON.stringify(replies()[0]!.content)).toContain('申请容错');

      const again = await runTick(['--now', now], { ...env, LOG_LEVEL: 'error' });
      expect(JSON.parse(again.stdout.trim().split('\n').at(-1)!)).toMatchObject({ recovered: 0 });
      expect(replies()).toHaveLength(1);
      const db = new Database(dbPath, { readonly: true });
      expect(db.prepare('select status from inbox where event_id = ?').get(sent.eventId)).toEqual({
        status: 'done',
      });
      db.close();
    }, 60_000);
  }

  it('tick leaves an event its accepter may still be handling, and refuses a bad --now', async () => {
    const { env, sent } = await acceptThenKill();
    const run = await runTick(['--now', '2099-06-01T09:00:00+08:00'], { ...env, LOG_LEVEL: 'error' });
    expect(JSON.parse(run.stdout.trim().split('\n').at(-1)!)).toMatchObject({ recovered: 0 });
    expect(emu.messages({ openId: OFFICER.openId }).filter((m) => m.replyTo === sent.messageId)).toHaveLength(
      0,
    );

    const bad = await runTick(['--now', 'yesterday'], env);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--now 不是有效的 ISO-8601 时间');
  }, 60_000);
});
