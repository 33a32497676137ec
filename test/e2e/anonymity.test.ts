import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit, conversations, inbox, kv, outbox, reports } from '../../db/schema';
import { hashQueryCode } from '../../src/cases/reports';
import { createLogger } from '../../src/log';
import { startNode } from '../../src/runtime/node';
import type { LarkEmulator } from '../../src/sandbox/emulator';
import { Repo } from '../../src/store/repo';
import { ADMIN, appEnv, startEmulator } from '../support/harness';
import { text } from '../support/messages';
import { tempDbPath } from '../support/stores';

const SEC = { openId: 'ou_sec_anon_li', name: '李书记' };
const CLERK = { openId: 'ou_clerk_anon_zhou', name: '周经办' };
const ACCUSED = { openId: 'ou_accused_anon_qian', name: '钱执法' };
const STRANGER = { openId: 'ou_stranger_anon_zheng', name: '郑路人' };
const REPORTER = {
  openId: 'ou_reporter_9f8e7d6c5b4a',
  name: '匿名甲',
  userId: 'u_reporter_5b4a3c2d',
  unionId: 'on_reporter_union_1a2b3c4d5e6f',
};
const PARTY = 'oc_party_anon';
const PUB = 'oc_pub_anon';

describe('an anonymous report leaves nothing that ties it to its sender', () => {
  const lines: string[] = [];
  let emu: LarkEmulator;
  let rt: Awaited<ReturnType<typeof startNode>>;
  let dbPath: string;
  let code = '';
  /** Callback tokens of the reporter's clicks: each names their card message on the platform. */
  const clickTokens: string[] = [];
  const click = async (...args: Parameters<LarkEmulator['clickButton']>) => {
    const res = await emu.clickButton(...args);
    clickTokens.push(res.token);
    return res;
  };
  /** Everything that identifies the reporter or their chat, as the platform knows it. */
  const needles = () => {
    const p2p = emu.p2pChatId(REPORTER.openId);
    const messageIds = emu.messages({ chatId: p2p, from: 'any' }).map((m) => m.messageId);
    expect(messageIds.length).toBeGreaterThan(5);
    return [REPORTER.openId, REPORTER.userId, REPORTER.unionId, p2p, ...messageIds, ...clickTokens];
  };
  /** Every file in the data folder, byte for byte, exactly as it is: no checkpoint, no close. */
  const scanDataFolder = (when: string) => {
    const dir = dirname(dbPath);
    const files = readdirSync(dir);
    expect(files).toEqual(expect.arrayContaining(['test.sqlite', 'test.sqlite-wal']));
    const ids = needles();
    const contents = files.map((f) => ({ f, bytes: readFileSync(join(dir, f)) }));
    // The scan reads the real bytes: the report's own matter and the handlers' ids are there to be found.
    for (const known of ['检查中违规收取费用', SEC.openId])
      expect(
        contents.some(({ bytes }) => bytes.includes(Buffer.from(known, 'utf8'))),
        `${when}: the data folder holds ${known}`,
      ).toBe(true);
    for (const { f, bytes } of contents)
      for (const n of ids)
        expect(bytes.includes(Buffer.from(n, 'utf8')), `${when}: ${f} holds ${n}`).toBe(false);
    const logs = lines.join('\n');
    expect(logs, `${when}: the debug log was written`).toContain('reports:intake');
    for (const n of ids) expect(logs.includes(n), `${when}: logs hold ${n}`).toBe(false);
  };
  const settle = () => rt.service.settle();
  const dm = (openId: string) => emu.messages({ openId }).filter((m) => m.from === 'app');
  const last = (openId: string) => dm(openId).at(-1)!;

  beforeAll(async () => {
    emu = await startEmulator();
    for (const u of [SEC, CLERK, ACCUSED, STRANGER, REPORTER]) emu.addUser(u);
    const everyone = [SEC, CLERK, ACCUSED, STRANGER, REPORTER].map((u) => u.openId);
    emu.addChat({ chatId: PARTY, name: '党组群', members: everyone });
    emu.addChat({ chatId: PUB, name: '公示群', members: everyone });
    dbPath = tempDbPath();
    rt = await startNode(appEnv(emu, dbPath), {
      logger: createLogger('debug', (l) => lines.push(l)),
      delivery: { baseBackoffMs: 20 },
    });
    emu.connectApp({ eventUrl: `${rt.url}/webhook/event`, cardUrl: `${rt.url}/webhook/card` });
    const repo = new Repo(rt.store.db);
    const now = new Date();
    const by = ADMIN.openId;
    await rt.store.commit([
      repo.addRole({ ...SEC, role: 'secretary', by, now }),
      repo.addRole({ ...CLERK, role: 'clerk', by, now }),
      repo.addRole({ ...ACCUSED, role: 'party_member', by, now }),
      repo.bindChat({ chatId: PARTY, kind: 'party', by, now }),
      repo.bindChat({ chatId: PUB, kind: 'publication', by, now }),
    ]);
  });
  afterAll(async () => {
    await rt?.close();
    await emu?.close();
  });

  it('files through the emulator: 匿名举报, a file refused with the reason, the code shown once', async () => {
    await emu.sendText(REPORTER.openId, '举报');
    await settle();
    const choose = last(REPORTER.openId);
    expect(text(choose)).toContain('匿名举报');
    // Sent, not a reply: nothing points at the reporter's own message.
    expect(choose.replyTo).toBeUndefined();
    // The form comes back in the click's own answer, replacing the choice.
    const picked = await click(REPORTER.openId, choose.messageId, '匿名举报');
    expect(JSON.stringify(picked.card)).toContain('提交匿名举报');
    await settle();
    const form = last(REPORTER.openId);
    expect(form.messageId).toBe(choose.messageId);
    expect(text(form)).toContain('提交匿名举报');

    await emu.sendFile(REPORTER.openId, { fileKey: 'file_anon_evidence', fileName: '录音.m4a' });
    await settle();
    expect(text(last(REPORTER.openId))).toContain('匿名举报不接收文件或图片');

    await emu.sendText(REPORTER.openId, '他在2月收了咨询费');
    await settle();
    expect(text(last(REPORTER.openId))).toContain('不记录你的身份');

    // 查找 a colleague off the roster: answered in the click, and covered by the scans below.
    const found = await click(REPORTER.openId, form.messageId, '查找', {
      accused: [],
      matter: '',
      content: '',
      accused_name: '郑路',
    });
    expect(JSON.stringify(found.card)).toContain(STRANGER.openId);
    expect(found.toast?.type).toBe('success');

    const missing = await click(REPORTER.openId, form.messageId, '提交匿名举报', {
      accused: [],
      matter: '检查中违规收取费用',
      content: '2026年2月在某商场检查时收取所谓咨询费。',
    });
    expect(missing.toast?.content).toContain('请选择被举报的执法人员');
    // Refused before any confirmation: the form again, as typed, with the reason on it.
    expect(JSON.stringify(missing.card)).toContain('提交匿名举报');
    expect(JSON.stringify(missing.card)).toContain('检查中违规收取费用');
    expect(JSON.stringify(missing.card)).not.toContain('确认提交');
    const tooLong = await click(REPORTER.openId, form.messageId, '提交匿名举报', {
      accused: [ACCUSED.openId],
      matter: '检查中违规收取费用',
      content: '很长'.repeat(1001),
    });
    expect(tooLong.toast?.content).toContain('不能超过 1000 个字');
    expect(await rt.store.db.select().from(reports)).toHaveLength(0);

    const submit = emu.buttons(form.messageId).find((b) => b.text === '提交匿名举报');
    expect(submit).toBeDefined();
    const review = await click(REPORTER.openId, form.messageId, '提交匿名举报', {
      accused: [ACCUSED.openId],
      matter: '检查中违规收取费用',
      content: '2026年2月在某商场检查时收取所谓咨询费，当时有多人在场。',
    });
    // A checked form is answered with what will be filed, in the click's answer; nothing is filed yet.
    expect(review.toast?.type).toBe('info');
    expect(JSON.stringify(review.card)).toContain('确认提交匿名举报');
    expect(JSON.stringify(review.card)).toContain('当时有多人在场');
    expect(await rt.store.db.select().from(reports)).toHaveLength(0);
    const confirm = emu.buttons(form.messageId).find((b) => b.text === '确认提交');
    expect(confirm).toBeDefined();
    const filed = await click(REPORTER.openId, form.messageId, '确认提交');
    expect(filed.toast?.type).toBe('success');
    // The code is in the click's answer, never in a message the outbox sent.
    code = /查询码\*\*：\*\*([A-Z0-9]+)\*\*/.exec(JSON.stringify(filed.card))?.[1] ?? '';
    expect(code).toMatch(/^[A-Z0-9]{10}$/);
    await settle();
    expect(
      dm(REPORTER.openId)
        .filter((m) => text(m).includes(code))
        .map((m) => m.messageId),
    ).toEqual([form.messageId]);
    const sentToReporter = (await rt.store.db.select().from(outbox)).filter(
      (r) => r.receiveId === REPORTER.openId || r.ref?.startsWith('private:'),
    );
    expect(sentToReporter).toEqual([]);

    // The same form submitted again (say, from a second device that still shows it).
    const again = await emu.click(
      REPORTER.openId,
      form.messageId,
      submit!.value,
      { accused: [ACCUSED.openId], matter: '检查中违规收取费用', content: '再交一次' },
      { unchecked: true },
    );
    clickTokens.push(again.token);
    expect(again.toast?.content).toContain('已失效');
    expect(await rt.store.db.select().from(reports)).toHaveLength(1);
    expect(again.toast?.content).toContain('没有看到查询码，请重新发送「举报」');
    // 确认提交 once more (a second device still showing the review card) files nothing either.
    const confirmedAgain = await emu.click(REPORTER.openId, form.messageId, confirm!.value, undefined, {
      unchecked: true,
    });
    clickTokens.push(confirmedAgain.token);
    expect(confirmedAgain.toast?.content).toContain('已失效');
    expect(await rt.store.db.select().from(reports)).toHaveLength(1);

    // Right after submission, before any tick or checkpoint.
    scanDataFolder('after submission');
  });

  it('keeps only the hash; audit says anonymous; the accused and the party chat hear nothing', async () => {
    const [row] = await rt.store.db.select().from(reports);
    expect(row?.realName).toBe(0);
    expect(row?.queryCodeHash).toBe(hashQueryCode(code));
    expect(row?.doc).not.toContain('reporterOpenId');
    const filed = await rt.store.db.select().from(audit).where(eq(audit.action, 'report.filed'));
    expect(filed.map((a) => a.actor)).toEqual(['anonymous']);
    expect(await rt.store.db.select().from(conversations)).toHaveLength(0);
    expect((await rt.store.db.select().from(kv)).filter((r) => r.key.startsWith('reportdraft:'))).toEqual([]);
    expect(dm(ACCUSED.openId)).toHaveLength(0);
    expect(emu.messages({ chatId: PARTY })).toHaveLength(0);
    for (const h of [SEC, CLERK]) {
      const card = text(last(h.openId));
      expect(card).toContain('匿名（系统未记录举报人身份）');
      expect(card).toContain('检查中违规收取费用');
    }
  });

  it('the query code works for anyone; a wrong code gets exactly the answer an unknown one gets', async () => {
    await emu.sendText(STRANGER.openId, `查询 ${code.toLowerCase().replace(/(.{5})/, '$1 ')}`);
    await settle();
    const found = last(STRANGER.openId);
    expect(text(found)).toContain('匿名举报办理情况');
    expect(text(found)).toContain('已登记');
    expect(found.replyTo).toBeUndefined();

    const wrong = `${code.slice(0, -1)}${code.endsWith('A') ? 'B' : 'A'}`;
    const w = await emu.sendText(STRANGER.openId, `查询 ${wrong}`);
    await settle();
    const wrongAnswer = last(STRANGER.openId).content;
    const u = await emu.sendText(STRANGER.openId, '查询 ZZZZ9999ZZ');
    await settle();
    const unknownAnswer = last(STRANGER.openId).content;
    expect(wrongAnswer).toEqual(unknownAnswer);
    expect(JSON.stringify(wrongAnswer)).toContain('没有查到');
    const outcomes = await rt.store.db.select({ id: inbox.eventId, outcome: inbox.outcome }).from(inbox);
    const outcomeOf = (id: string) => outcomes.find((o) => o.id === id)?.outcome;
    expect(outcomeOf(w.eventId)).toBe('reports:query');
    expect(outcomeOf(u.eventId)).toBe(outcomeOf(w.eventId));

    // The reporter asks too, the way a reporter would.
    await emu.sendText(REPORTER.openId, `查询 ${code}`);
    await settle();
    expect(text(last(REPORTER.openId))).toContain('匿名举报办理情况');
  });

  it('after delivery and a tick, no table, no byte of any file in the data folder and no log line holds the sender', async () => {
    await rt.service.tick(new Date());
    await settle();
    // The inbox kept the events, never their sender.
    const events = await rt.store.db.select().from(inbox);
    expect(events.filter((e) => e.outcome === 'reports:intake').length).toBeGreaterThan(4);
    for (const e of events) expect(e.status).not.toBe('pending');
    scanDataFolder('after tick');
  });
});
