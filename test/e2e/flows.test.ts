import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../../db/schema';
import { applyCase } from '../../src/bot/apply';
import { Ctx } from '../../src/bot/context';
import { openByOrganisation } from '../../src/cases';
import { Repo } from '../../src/store/repo';
import { type Harness, OFFICER, startHarness } from '../support/harness';

// Guided flows must not swallow or drop each other's input.
const CLERK = { openId: 'ou_flows_clerk', name: '王经办' };
const json = (x: unknown) => JSON.stringify(x);

describe('between guided flows', () => {
  let h: Harness;
  const repo = () => new Repo(h.rt.store.db);
  const last = (openId: string) => h.emu.messages({ openId }).at(-1)!;
  beforeAll(async () => {
    h = await startHarness();
    h.emu.addUser(CLERK);
  });
  afterAll(async () => h?.close());

  it('申请容错 typed while a report is being written keeps the report draft and says what to do', async () => {
    await h.emu.sendText(OFFICER.openId, '举报');
    await h.settle();
    await h.emu.clickButton(OFFICER.openId, last(OFFICER.openId).messageId, '实名举报');
    await h.settle();
    const before = await repo().conversation(OFFICER.openId);
    expect(before?.flow).toBe('report');
    await h.emu.sendText(OFFICER.openId, '申请容错');
    await h.settle();
    expect(json(last(OFFICER.openId).content)).toContain('请先提交，或发送「取消」');
    expect(await repo().conversation(OFFICER.openId)).toEqual(before);
    expect(await repo().casesOfSubject(OFFICER.openId)).toHaveLength(0);
  });

  it('a file sent by the officer of an organisation-opened case attaches to that case', async () => {
    const subject = { openId: 'ou_flows_subject', name: '刘执法' };
    h.emu.addUser(subject);
    await h.rt.store.commit([
      repo().addRole({ openId: CLERK.openId, role: 'clerk', name: CLERK.name, by: 'test', now: new Date() }),
    ]);
    let caseId = '';
    await h.rt.service.pipeline.runUnit('test:open', async (fx) => {
      const ctx = new Ctx(fx, new Repo(fx.db), h.rt.service.bot);
      const clerk = await ctx.actor(CLERK.openId);
      const seq = await ctx.repo.nextSeq(`case:${new Date().getFullYear()}`, ctx.now);
      const d = openByOrganisation(
        {
          type: 'open_by_organisation',
          caseId: 'case_flows_org',
          seq: seq.value,
          subject,
          title: '夜间巡查文书瑕疵',
        },
        clerk,
        ctx.env,
      );
      const r = await applyCase(ctx, null, d, seq.write);
      expect(r).toMatchObject({ origin: 'organisation' });
      caseId = 'case_flows_org';
    });
    await h.settle();
    const sent = await h.emu.sendFile(subject.openId, { fileKey: 'file_v3_org', fileName: '巡查记录.pdf' });
    await h.settle();
    expect(
      json(h.emu.messages({ openId: subject.openId }).find((m) => m.replyTo === sent.messageId)?.content),
    ).toContain('巡查记录.pdf');
    expect((await repo().getCase(caseId))?.facts.evidence).toEqual([
      { kind: 'file', messageId: sent.messageId, key: 'file_v3_org', name: '巡查记录.pdf' },
    ]);
    expect(await repo().casesOfSubject(subject.openId)).toHaveLength(1);
  });

  it('查询 <查询码> during an intake is answered as a query and never stored in the draft', async () => {
    const officer = { openId: 'ou_flows_writer', name: '赵执法' };
    h.emu.addUser(officer);
    await h.emu.sendText(officer.openId, '申请容错');
    await h.settle();
    const [draft] = await repo().casesOfSubject(officer.openId, ['draft']);
    const sent = await h.emu.sendText(officer.openId, '查询 QK7M2P9XW4');
    await h.settle();
    const reply = h.emu.messages({ openId: officer.openId }).at(-1)!;
    expect(json(reply.content)).toContain('没有查到与这个查询码对应的匿名举报');
    expect(await repo().getCase(draft!.id)).toEqual(draft);
    const rows = await h.rt.store.db.select().from(audit);
    expect(json(rows)).not.toContain('QK7M2P9XW4');
    expect(sent.status).toBe(200);
  });

  it('words not understood while a draft is saved get the help card that points back to the draft', async () => {
    const officer = { openId: 'ou_flows_pauser', name: '孙执法' };
    h.emu.addUser(officer);
    await h.emu.sendText(officer.openId, '申请容错');
    await h.settle();
    await h.emu.clickButton(officer.openId, last(officer.openId).messageId, '保存草稿', {});
    await h.settle();
    await h.emu.sendText(officer.openId, '今天天气不错');
    await h.settle();
    const shown = json(last(officer.openId).content);
    expect(shown).toContain('没有听懂「今天天气不错」');
    expect(shown).toContain('你有一份未提交的容错申请草稿');
  });
});
