import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox } from '../../db/schema';
import { addCalendarDays, businessDate, reminderInstants } from '../../src/calendar';
import { silentLogger } from '../../src/log';
import { defaultPolicy as policy } from '../../src/policy';
import { type NodeRuntime, startNode } from '../../src/runtime/node';
import { Repo } from '../../src/store/repo';
import { openSqliteStore } from '../../src/store/sqlite';
import { calendar, carriedCase, determinationCommand, envAt, run, secretary } from '../cases/fixtures';
import { APP } from '../support/harness';
import { freePort } from '../support/process';
import { tempDbPath } from '../support/stores';

const OFFICER = 'ou_sandbox_officer';
const GUARD = pathToFileURL(join(import.meta.dirname, '../support/loopback-only.mjs')).href;

/** `npm run tick` as a real process, every socket and DNS lookup it makes written to a log. */
function runTick(args: string[], env: Record<string, string>) {
  const netLog = join(tmpdir(), `tick-net-${process.pid}-${Math.random().toString(36).slice(2)}.log`);
  writeFileSync(netLog, '');
  // No Lark credentials from the machine running the tests: exactly what a user with a fresh clone has.
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('LARK_') && k !== 'ADMIN_OPEN_IDS'),
  );
  return new Promise<{ status: number | null; stdout: string; stderr: string; net: string[] }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', GUARD, '--import', 'tsx', 'scripts/tick.ts', ...args],
      {
        env: { ...clean, LOG_LEVEL: 'error', NET_LOG: netLog, ...env },
        encoding: 'utf8',
        timeout: 30_000,
      },
      (err, stdout, stderr) =>
        resolve({
          status: err ? ((err as { code?: number }).code ?? null) : 0,
          stdout,
          stderr,
          net: readFileSync(netLog, 'utf8').split('\n').filter(Boolean),
        }),
    );
  });
}

// Unix sockets (tsx's own pipe) never leave the machine either.
const onLoopback = (line: string) => /^(connect:(127\.0\.0\.1|localhost|::1):\d+|unix:.*)$/.test(line);

describe('npm run tick against sandbox data with no credentials', () => {
  let rt: NodeRuntime | undefined;
  let dbPath: string;
  let port: number;
  let caseId: string;
  let deadline: string;

  beforeAll(async () => {
    dbPath = tempDbPath();
    port = await freePort();
    rt = await startNode({ PORT: String(port), DATABASE_PATH: dbPath }, { logger: silentLogger });
    // A correction order for the sandbox officer, due three weeks from the sandbox's today.
    const now = new Date();
    deadline = addCalendarDays(businessDate(now), 21);
    const cmd = determinationCommand;
    const mine = run(
      carriedCase('exempt', envAt(now)),
      {
        ...cmd,
        correction: {
          ...cmd.correction!,
          deadline,
          responsible: { openId: OFFICER, unitId: 'enforcement_1' },
        },
      },
      secretary,
      envAt(now),
    );
    caseId = mine.id;
    const repo = new Repo(rt.store.db);
    await rt.store.commit(repo.saveCase(null, mine));
  }, 60_000);
  afterAll(async () => rt?.close());

  const reminderAt = () => reminderInstants(deadline, [3], policy.correction.reminderHour, calendar)[0]!;
  const remindersToOfficer = () =>
    rt!
      .emulator!.messages({ openId: OFFICER })
      .filter((m) => JSON.stringify(m.content).includes('整改期限提醒'));

  it('hands the tick to the running sandbox: its clock moves there, the reminder reaches the officer, nothing leaves 127.0.0.1', async () => {
    expect(remindersToOfficer()).toHaveLength(0);
    const at = reminderAt();
    const run = await runTick(['--now', at.toISOString()], { DATABASE_PATH: dbPath, PORT: String(port) });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    expect(report).toMatchObject({ now: at.toISOString(), jobs: { 'correction.reminders': 1 } });
    expect(run.net.length).toBeGreaterThan(0);
    expect(run.net.filter((l) => !onLoopback(l))).toEqual([]);
    // The sandbox ran it on its own clock and delivered into its own chats.
    expect(remindersToOfficer()).toHaveLength(1);
    expect(JSON.stringify(remindersToOfficer()[0]!.content)).toContain(`整改期限**：${deadline}`);
    const c = await new Repo(rt!.store.db).getCase(caseId);
    expect(c?.correction?.remindedOn).toEqual([businessDate(at)]);
  }, 60_000);

  it('refuses to go back in time on the running sandbox, with one clear line', async () => {
    const run = await runTick(['--now', new Date(reminderAt().getTime() - 86_400_000).toISOString()], {
      DATABASE_PATH: dbPath,
      PORT: String(port),
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toMatch(/^沙盒没有执行：沙盒时钟已是 .+，不能拨回到 .+$/);
    expect(run.net.filter((l) => !onLoopback(l))).toEqual([]);
  }, 60_000);

  it('refuses a database the running sandbox does not use', async () => {
    const other = tempDbPath();
    const run = await runTick(['--now', new Date(reminderAt().getTime() + 86_400_000).toISOString()], {
      DATABASE_PATH: other,
      PORT: String(port),
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('运行中的沙盒使用的是另一个数据库');
    expect(remindersToOfficer()).toHaveLength(1);
  }, 60_000);

  it('with the sandbox stopped it refuses, touches nothing and calls no host', async () => {
    await rt!.close();
    rt = undefined;
    const store = openSqliteStore(dbPath);
    const before = {
      c: await new Repo(store.db).getCase(caseId),
      outbox: (await store.db.select().from(outbox)).length,
    };
    await store.close();
    // The deadline has passed: an overdue reminder and an escalation would be due now.
    const late = new Date(reminderAt().getTime() + 30 * 86_400_000).toISOString();
    const run = await runTick(['--now', late], { DATABASE_PATH: dbPath, PORT: String(port) });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(`沙盒没有在 http://127.0.0.1:${port} 运行，未做任何处理`);
    expect(run.net.filter((l) => !onLoopback(l))).toEqual([]);
    const after = openSqliteStore(dbPath);
    expect(await new Repo(after.db).getCase(caseId)).toEqual(before.c);
    expect((await after.db.select().from(outbox)).length).toBe(before.outbox);
    await after.close();

    // Lark credentials do not make sandbox data deliverable either.
    const withCreds = await runTick(['--now', late], {
      DATABASE_PATH: dbPath,
      LARK_APP_ID: APP.appId,
      LARK_APP_SECRET: APP.appSecret,
      LARK_VERIFICATION_TOKEN: APP.verificationToken,
    });
    expect(withCreds.status).toBe(1);
    expect(withCreds.stderr).toContain('是沙盒的数据库');
    expect(withCreds.net.filter((l) => !onLoopback(l))).toEqual([]);
  }, 60_000);
});
