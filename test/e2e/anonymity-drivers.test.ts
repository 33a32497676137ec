import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reports } from '../../db/schema';
import { createLogger } from '../../src/log';
import type { LarkEmulator } from '../../src/sandbox/emulator';
import type { Service } from '../../src/service';
import type { Store } from '../../src/store';
import { Repo } from '../../src/store/repo';
import { submitReport } from '../support/forms';
import { ADMIN } from '../support/harness';
import { text } from '../support/messages';
import { startRig } from '../support/rig';
import { openCapturingStore, storeFactories } from '../support/stores';

const SEC = { openId: 'ou_sec_drv_li', name: '李书记' };
const CLERK = { openId: 'ou_clerk_drv_zhou', name: '周经办' };
const ACCUSED = { openId: 'ou_accused_drv_qian', name: '钱执法' };
const REPORTER = {
  openId: 'ou_reporter_drv_7c6b5a49',
  name: '匿名乙',
  userId: 'u_reporter_drv_3e2f1a',
  unionId: 'on_reporter_drv_union_8d7c6b5a',
};
const NAMED = { openId: 'ou_named_drv_wang', name: '王群众' };
const PARTY = 'oc_party_drv';

// D1 runs in workerd, which the date-shifted CI runs leave out (see storeFactories).
for (const driver of storeFactories.map((f) => f.name)) {
  describe(`anonymity on ${driver}: every statement sent to the database`, () => {
    const sent: string[] = [];
    const lines: string[] = [];
    let emu: LarkEmulator;
    let store: Store;
    let service: Service;
    let close: () => Promise<void>;
    const settle = () => service.settle();
    const dm = (openId: string) => emu.messages({ openId }).filter((m) => m.from === 'app');
    const last = (openId: string) => dm(openId).at(-1)!;

    beforeAll(async () => {
      const rig = await startRig(
        await openCapturingStore(driver, sent),
        createLogger('debug', (l) => lines.push(l)),
      );
      ({ emu, store, service, close } = rig);
      for (const u of [SEC, CLERK, ACCUSED, REPORTER, NAMED]) emu.addUser(u);
      emu.addChat({
        chatId: PARTY,
        name: '党组群',
        members: [SEC, CLERK, ACCUSED].map((u) => u.openId),
      });
      const repo = new Repo(store.db);
      const now = new Date();
      const by = ADMIN.openId;
      await store.commit([
        repo.addRole({ ...SEC, role: 'secretary', by, now }),
        repo.addRole({ ...CLERK, role: 'clerk', by, now }),
        repo.addRole({ ...ACCUSED, role: 'party_member', by, now }),
        repo.bindChat({ chatId: PARTY, kind: 'party', by, now }),
      ]);
    });
    afterAll(async () => close?.());

    it('opening, drafting, submitting and querying an anonymous report sends none of the reporter’s ids', async () => {
      sent.length = 0;
      lines.length = 0;
      const tokens: string[] = [];
      await emu.sendText(REPORTER.openId, '举报');
      await settle();
      const choose = last(REPORTER.openId);
      expect(text(choose)).toContain('匿名举报');
      const picked = await emu.clickButton(REPORTER.openId, choose.messageId, '匿名举报');
      tokens.push(picked.token);
      expect(JSON.stringify(picked.card)).toContain('提交匿名举报');
      await emu.sendFile(REPORTER.openId, { fileKey: 'file_drv_evidence', fileName: '照片.jpg' });
      await emu.sendText(REPORTER.openId, '他当时收了两千元');
      await settle();
      expect(text(last(REPORTER.openId))).toContain('请在表单中填写');
      const refused = await submitReport(emu, REPORTER.openId, choose.messageId, '提交匿名举报', {
        accused: [],
        matter: '检查中违规收取费用',
        content: '收取所谓咨询费。',
      });
      tokens.push(refused.token);
      expect(refused.toast?.content).toContain('请选择被举报的执法人员');
      const filed = await submitReport(emu, REPORTER.openId, choose.messageId, '提交匿名举报', {
        accused: [ACCUSED.openId],
        matter: '检查中违规收取费用',
        content: '2026年2月在某商场检查时收取所谓咨询费。',
      });
      tokens.push(filed.token);
      expect(filed.toast?.type).toBe('success');
      const code = /查询码\*\*：\*\*([A-Z0-9]+)\*\*/.exec(JSON.stringify(filed.card))?.[1] ?? '';
      expect(code).toMatch(/^[A-Z0-9]{10}$/);
      await settle();
      await emu.sendText(REPORTER.openId, `查询 ${code}`);
      await settle();
      expect(text(last(REPORTER.openId))).toContain('匿名举报办理情况');
      await service.tick(new Date());
      await settle();

      const [row] = await store.db.select().from(reports);
      expect(row?.realName).toBe(0);
      // The handlers got their copies: the report went the whole way.
      expect(text(last(SEC.openId))).toContain('检查中违规收取费用');

      const p2p = emu.p2pChatId(REPORTER.openId);
      const messageIds = emu.messages({ chatId: p2p, from: 'any' }).map((m) => m.messageId);
      expect(messageIds.length).toBeGreaterThan(4);
      const needles = [REPORTER.openId, REPORTER.userId, REPORTER.unionId, p2p, ...messageIds, ...tokens];
      // What was captured is the real traffic: the inbox, the report and the handlers' outbox rows.
      const all = sent.join('\n');
      expect(all).toMatch(/insert into "inbox"/i);
      expect(all).toMatch(/insert into "reports"/i);
      expect(all).toMatch(/insert into "outbox"/i);
      expect(all).toContain(SEC.openId);
      for (const n of needles) {
        const hit = sent.find((s) => s.includes(n));
        expect(hit, `a statement holds ${n}`).toBeUndefined();
      }
      const logs = lines.join('\n');
      expect(logs, 'the debug log was written').toContain('reports:intake');
      for (const n of needles) expect(logs.includes(n), `logs hold ${n}`).toBe(false);
    });

    it('a real-name report still works and its reporter gets the feedback by direct message', async () => {
      await emu.sendText(NAMED.openId, '举报');
      await settle();
      const choose = last(NAMED.openId);
      const picked = await emu.clickButton(NAMED.openId, choose.messageId, '实名举报');
      expect(JSON.stringify(picked.card)).toContain('提交实名举报');
      await emu.sendFile(NAMED.openId, { fileKey: 'file_drv_named', fileName: '收据.pdf' });
      await settle();
      expect(text(last(NAMED.openId))).toContain('收据.pdf');
      const filed = await submitReport(emu, NAMED.openId, choose.messageId, '提交实名举报', {
        accused: [ACCUSED.openId],
        matter: '执法中态度恶劣',
        content: '2026年3月检查时辱骂商户。',
      });
      expect(filed.toast?.type, filed.toast?.content).toBe('success');
      await settle();
      const r = (await new Repo(store.db).openReports()).find((x) => x.matter === '执法中态度恶劣');
      expect(r?.realName).toBe(true);
      expect(r?.reporterOpenId).toBe(NAMED.openId);
      expect(r?.attachments.map((f) => f.name)).toEqual(['收据.pdf']);

      const copy = () =>
        dm(SEC.openId)
          .filter((m) => text(m).includes(r!.number) && text(m).includes('举报内容'))
          .at(-1)!;
      await emu.clickButton(SEC.openId, copy().messageId, '认定核查结果');
      const recorded = await emu.clickButton(SEC.openId, copy().messageId, '确认认定', {
        result: 'true',
        note: '经查属实。',
      });
      expect(recorded.toast?.type, recorded.toast?.content).toBe('success');
      await settle();
      await emu.clickButton(SEC.openId, copy().messageId, '反馈结果');
      const sentFeedback = await emu.clickButton(SEC.openId, copy().messageId, '发送反馈', {
        text: '经查属实，已批评教育。',
      });
      expect(sentFeedback.toast?.type, sentFeedback.toast?.content).toBe('success');
      await settle();
      const feedback = last(NAMED.openId);
      expect(feedback.chatId).toBe(emu.p2pChatId(NAMED.openId));
      expect(text(feedback)).toContain('你的举报已有核查结果');
      expect(text(feedback)).toContain('已批评教育');
    });
  });
}
