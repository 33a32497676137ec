import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { drizzle } from 'drizzle-orm/d1';
import ExcelJS from 'exceljs';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as schema from '../../db/schema';
import { verifyArchive } from '../../src/documents';
import type { LarkEmulator } from '../../src/sandbox/emulator';
import { toStatement } from '../../src/store';
import { Repo } from '../../src/store/repo';
import { carriedCase, run as decide, determinationCommand, secretary } from '../cases/fixtures';
import { APP, OFFICER, startEmulator } from '../support/harness';

const run = promisify(execFile);

/** The Worker as wrangler bundles it, run by workerd (Miniflare) over a real D1, talking to the emulator. */
describe('the Cloudflare Workers build over D1', () => {
  let emu: LarkEmulator;
  let mf: Miniflare;
  let d1: Awaited<ReturnType<Miniflare['getD1Database']>>;

  beforeAll(async () => {
    const out = mkdtempSync(join(tmpdir(), 'rc-worker-'));
    await run(
      process.execPath,
      ['node_modules/wrangler/bin/wrangler.js', 'deploy', '--dry-run', '--outdir', out],
      {
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
        timeout: 120_000,
      },
    );
    emu = await startEmulator();
    const wrangler = readFileSync('wrangler.toml', 'utf8');
    const compatibilityDate = /compatibility_date\s*=\s*"([^"]+)"/.exec(wrangler)![1]!;
    mf = new Miniflare({
      modules: [
        { type: 'ESModule', path: 'worker.js', contents: readFileSync(join(out, 'worker.js'), 'utf8') },
      ],
      compatibilityDate,
      compatibilityFlags: ['nodejs_compat'],
      d1Databases: ['DB'],
      bindings: {
        LARK_APP_ID: APP.appId,
        LARK_APP_SECRET: APP.appSecret,
        LARK_ENCRYPT_KEY: APP.encryptKey,
        LARK_VERIFICATION_TOKEN: APP.verificationToken,
        LARK_DOMAIN: emu.url,
        LOG_LEVEL: 'error',
      },
      host: '127.0.0.1',
      port: 0,
    });
    const url = await mf.ready;
    d1 = await mf.getD1Database('DB');
    // What `wrangler d1 migrations apply` does: every migration file in order.
    for (const file of readdirSync('db/migrations')
      .filter((f) => f.endsWith('.sql'))
      .sort()) {
      for (const stmt of readFileSync(join('db/migrations', file), 'utf8').split(
        '--> statement-breakpoint',
      )) {
        if (stmt.trim()) await d1.prepare(stmt).run();
      }
    }
    emu.connectApp({
      eventUrl: new URL('/webhook/event', url).href,
      cardUrl: new URL('/webhook/card', url).href,
    });
  }, 180_000);
  afterAll(async () => {
    await mf?.dispose();
    await emu?.close();
  });

  it('answers 帮助 through the SDK inside workerd, records it in D1, and ignores a redelivery', async () => {
    const sent = await emu.sendText(OFFICER.openId, '帮助');
    expect(sent.status).toBe(200);
    const reply = await emu.waitFor(
      () => emu.messages({ openId: OFFICER.openId }).find((m) => m.replyTo === sent.messageId),
      15_000,
    );
    expect(JSON.stringify(reply.content)).toContain('申请容错');
    const row = await d1
      .prepare('select status, payload from inbox where event_id = ?')
      .bind(sent.eventId)
      .first();
    expect(row).toEqual({ status: 'done', payload: null });

    const again = await emu.deliver(sent.envelope);
    expect(again.status).toBe(200);
    const probe = await emu.sendText(OFFICER.openId, '帮助');
    await emu.waitFor(
      () => emu.messages({ openId: OFFICER.openId }).find((m) => m.replyTo === probe.messageId),
      15_000,
    );
    expect(emu.messages({ openId: OFFICER.openId }).filter((m) => m.replyTo === sent.messageId)).toHaveLength(
      1,
    );
    // One SDK client per isolate: three requests, one tenant token and one bot/v3/info between them.
    expect(emu.requests().filter((r) => r.route === 'token')).toHaveLength(1);
    expect(emu.requests().filter((r) => r.route === 'bot').length).toBeLessThanOrEqual(1);
  });

  it('refuses a tampered signature with 401 and records nothing', async () => {
    const before = await d1.prepare('select count(*) as n from inbox').first<{ n: number }>();
    const probe = await emu.sendText(OFFICER.openId, '帮助');
    const res = await emu.deliver(
      { ...probe.envelope, header: { ...probe.envelope.header, event_id: 'evt_worker_forged' } },
      { tamper: 'signature' },
    );
    expect(res.status).toBe(401);
    const after = await d1.prepare('select count(*) as n from inbox').first<{ n: number }>();
    expect(after!.n).toBe(before!.n + 1);
  });

  it('a reply that fails is retried by the Cron Trigger tick, exactly once', async () => {
    emu.failNext('reply', { status: 500, times: 1 });
    const sent = await emu.sendText(OFFICER.openId, '帮助');
    expect(sent.status).toBe(200);
    await emu.waitFor(
      () => emu.requests().some((r) => r.path.includes(`/messages/${sent.messageId}/reply`)),
      15_000,
    );
    expect(emu.messages({ openId: OFFICER.openId }).filter((m) => m.replyTo === sent.messageId)).toHaveLength(
      0,
    );
    const worker = await mf.getWorker();
    await worker.scheduled({ scheduledTime: new Date(Date.now() + 120_000), cron: '* * * * *' });
    await emu.waitFor(
      () => emu.messages({ openId: OFFICER.openId }).find((m) => m.replyTo === sent.messageId),
      15_000,
    );
    const calls = emu.requests().filter((r) => r.path.includes(`/messages/${sent.messageId}/reply`));
    expect(calls.map((r) => r.status)).toEqual([500, 200]);
  });

  it('makes documents inside workerd: 「归档」 and 「导出台账」 arrive as files that open', async () => {
    await d1
      .prepare('insert into roster (open_id, role, name, added_by, added_at) values (?, ?, ?, ?, ?)')
      .bind(OFFICER.openId, 'secretary', OFFICER.name, 'test', 0)
      .run();
    const decided = decide(
      carriedCase('refuse'),
      {
        ...determinationCommand,
        outcome: 'refuse',
        citedItems: ['12'],
        publication: { scope: 'none' },
        correctionRequired: false,
        correction: undefined,
      },
      secretary,
    );
    const closed = decide(decided, { type: 'close' }, secretary);
    const repo = new Repo(drizzle(d1 as never, { schema }) as never);
    for (const w of repo.saveCase(null, closed)) {
      const st = toStatement(w);
      await d1
        .prepare(st.sql)
        .bind(...st.params)
        .run();
    }
    const files = () => emu.messages({ openId: OFFICER.openId }).filter((m) => m.msgType === 'file');
    const bytesOf = (m: { content: unknown }) =>
      new Uint8Array(
        Buffer.from(emu.state.files[(m.content as { file_key: string }).file_key]!.dataBase64, 'base64'),
      );

    await emu.sendText(OFFICER.openId, `归档 ${closed.number}`);
    // Generous bounds: workerd builds three Office files, which takes seconds on a loaded machine.
    const archive = await emu.waitFor(() => files()[0], 60_000);
    const verified = await verifyArchive(bytesOf(archive));
    expect(verified.ok).toBe(true);
    expect(verified.manifest!.files.map((f) => f.name)).toEqual([
      '送达回证.docx',
      '证据清单.xlsx',
      '审计记录.xlsx',
    ]);

    const asked = Date.now();
    await emu.sendText(OFFICER.openId, '导出台账');
    // Each Worker request paces only itself: several answers to one chat within a second can meet Lark's
    // per-chat limit (230020); what was refused then goes out on the next Cron Trigger, as in production.
    const worker = await mf.getWorker();
    for (let i = 0; i < 3 && !files()[1]; i++) {
      await emu.waitFor(
        () => files()[1] ?? emu.requests().find((r) => r.code === 230020 && r.at > asked),
        60_000,
      );
      if (!files()[1])
        await worker.scheduled({ scheduledTime: new Date(Date.now() + 120_000), cron: '* * * * *' });
      await emu.waitFor(() => files()[1], 20_000).catch(() => undefined);
    }
    const ledger = await emu.waitFor(() => files()[1], 1_000);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytesOf(ledger) as unknown as ArrayBuffer);
    expect(wb.getWorksheet('案件台账')!.getRow(2).getCell(1).value).toBe(closed.number);
  }, 150_000);
});
