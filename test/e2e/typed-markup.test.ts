import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeMd } from '../../cards/common';
import { addCalendarDays, businessDate } from '../../src/calendar';
import type { Case } from '../../src/cases/types';
import { defaultPolicy as policy } from '../../src/policy';
import type { EmulatedMessage } from '../../src/sandbox/emulator';
import { Repo } from '../../src/store/repo';
import { closeVoteAndConfirm, findingsFormFor, issueAndConfirm, submitReport } from '../support/forms';
import { ADMIN, type Harness, OFFICER, startHarness } from '../support/harness';
import { last, one } from '../support/messages';

// Card markdown interprets emphasis, headings, links, code, rules, `<at>` and `<font>`: what people type into
// any field must reach every card (the group chats' included) as the text they typed, never as markup.
const SEC = { openId: 'ou_mk_secretary', name: '**书记**' };
const PM = { openId: 'ou_mk_member', name: '王<at id=all></at>委员' };
const CLERK = { openId: 'ou_mk_clerk', name: '周经办' };
const INV = { openId: 'ou_mk_inv', name: '吴[核查](https://evil)' };
const PARTY = 'oc_mk_party';
const UNIT = 'oc_mk_unit';

/** Typed markup tagged with the field it was typed into, so each field can be found on the cards. */
const inline = (field: string) =>
  `**【${field}】** # h [x](https://evil) <at id=all></at> <font color='red'>r</font> \`c\``;
/** For a one-line field with a short limit (事项名称: 60 characters). */
const short = (field: string) => `**【${field}】** [x](https://evil) <at id=all></at>`;
const multiline = (field: string) => `${inline(field)}\n---\n# ${field}尾\n- 项`;

/** What no card may show as markdown: each would render as formatting, a link, a mention or a rule. */
const RAW = ['<at id=all>', '](https://evil)', "<font color='red'>r", '`c`', '\n---\n', '\n# ', '\n- 项'];

/** Every markdown text in a card, as Lark would interpret it. */
function markdownOf(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) markdownOf(n, out);
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if ((o.tag === 'markdown' || o.tag === 'lark_md') && typeof o.content === 'string') out.push(o.content);
    for (const v of Object.values(o)) markdownOf(v, out);
  }
  return out;
}

describe('typed markup is shown as text on every card', () => {
  let h: Harness;
  let caseId = '';
  const repo = () => new Repo(h.rt.store.db);
  const getCase = async () => (await repo().getCase(caseId)) as Case;
  const dm = (openId: string) => h.emu.messages({ openId }).filter((m) => m.from === 'app');
  const inChat = (chatId: string) => h.emu.messages({ chatId }).filter((m) => m.from === 'app');
  const every = () => h.emu.messages({}).filter((m) => m.from === 'app');
  const yesterday = () => addCalendarDays(businessDate(new Date()), -1);
  async function click(who: string, messageId: string, label: string, form?: Record<string, unknown>) {
    const r = await h.emu.clickButton(who, messageId, label, form);
    expect(r.status).toBe(200);
    if (r.toast?.type === 'error' || r.toast?.type === 'warning')
      throw new Error(`${label}: ${r.toast.content}`);
    await h.settle();
    return r;
  }
  /** Every markdown text of every version of these messages. */
  const shown = (ms: EmulatedMessage[]) =>
    ms.flatMap((m) => [m.content, ...m.versions].flatMap((c) => markdownOf(c)));
  /** The field's text appears escaped on the cards given, and nowhere raw. */
  function expectShownAsText(field: string, ms: EmulatedMessage[]) {
    const md = shown(ms);
    expect(
      md.some((t) => t.includes(escapeMd(`**【${field}】**`))),
      `${field} shown escaped`,
    ).toBe(true);
    const raw = md.filter((t) => t.includes(`**【${field}】**`));
    expect(raw, `${field} never raw`).toEqual([]);
  }

  beforeAll(async () => {
    h = await startHarness();
    for (const u of [SEC, PM, CLERK, INV]) h.emu.addUser(u);
    const everyone = [OFFICER, SEC, PM, CLERK, INV, ADMIN].map((u) => u.openId);
    h.emu.addChat({ chatId: PARTY, name: '党组群', members: everyone });
    h.emu.addChat({ chatId: UNIT, name: '执法一科', members: [OFFICER.openId, CLERK.openId] });
    const now = new Date();
    const by = ADMIN.openId;
    const r = repo();
    await h.rt.store.commit([
      r.addRole({ ...SEC, role: 'secretary', by, now }),
      r.addRole({ ...PM, role: 'party_member', by, now }),
      r.addRole({ ...CLERK, role: 'clerk', by, now }),
      r.addRole({ ...INV, role: 'investigator', by, now }),
      r.bindChat({ chatId: PARTY, kind: 'party', by, now }),
      r.bindChat({ chatId: UNIT, kind: 'unit', unitId: 'enforcement_1', by, now }),
    ]);
  });
  afterAll(async () => h?.close());

  it('the application: facts, a return reason and the record, in the applicant’s and the party chat’s cards', async () => {
    const sent = await h.emu.sendText(OFFICER.openId, '申请容错');
    await h.settle();
    const card = h.emu
      .messages({ openId: OFFICER.openId })
      .find((m) => m.replyTo === sent.messageId)!.messageId;
    const steps: Record<string, unknown>[] = [
      {
        title: short('标题'),
        occurredOn: `${yesterday()} +0800`,
        stage: 'inspection',
        unitId: 'enforcement_1',
      },
      { story: multiline('经过') },
      { lossAndImpact: multiline('损失'), majorLoss: 'no', seriousImpact: 'no' },
      { remedies: multiline('补救') },
      { items10: ['10.4'] },
      { c1: 'yes', c2: 'yes', c3: 'yes' },
      {},
    ];
    for (const form of steps) await click(OFFICER.openId, card, '下一步', form);
    expect((await click(OFFICER.openId, card, '提交申请')).toast?.type).toBe('success');
    const [c] = await repo().casesOfSubject(OFFICER.openId, ['submitted']);
    caseId = c!.id;
    expect(c!.facts.story).toBe(multiline('经过'));

    const app = last(inChat(PARTY), '受理').messageId;
    await click(CLERK.openId, app, '退回补充');
    await click(CLERK.openId, app, '确认退回', { reason: multiline('退回理由') });
    expect((await getCase()).status).toBe('draft');
    const resume = dm(OFFICER.openId)
      .filter((m) => h.emu.buttons(m.messageId).some((b) => b.text === '继续补充'))
      .at(-1)!;
    await click(OFFICER.openId, resume.messageId, '继续补充');
    await click(OFFICER.openId, dm(OFFICER.openId).at(-1)!.messageId, '提交申请');
    await click(CLERK.openId, last(inChat(PARTY), '受理').messageId, '受理');
    expect((await getCase()).status).toBe('investigating');

    for (const field of ['标题', '经过', '损失', '补救']) {
      expectShownAsText(field, inChat(PARTY));
      expectShownAsText(field, dm(OFFICER.openId));
    }
    expectShownAsText('退回理由', dm(OFFICER.openId));
  });

  it('findings, a vote comment and the determination with its correction order, in the party chat and the DMs', async () => {
    await h.decide(caseId, CLERK.openId, async (ctx) => ({
      type: 'assign_investigator',
      investigator: await ctx.actor(INV.openId),
    }));
    const number = (await getCase()).number!;
    const form = one(dm(INV.openId), number, '提交核查意见');
    const findings = {
      ...findingsFormFor(multiline('核查说明')),
      ...Object.fromEntries(policy.factors.map((f) => [`factor_${f.id}`, multiline(`因素${f.id}`)])),
    };
    expect((await click(INV.openId, form.messageId, '提交核查意见', findings)).toast?.type).toBe('success');
    const ask = one(dm(SEC.openId), number, '发起表决');
    await click(SEC.openId, ask.messageId, '发起表决');
    const vote = one(inChat(PARTY), number, '第 1 轮').messageId;
    await click(PM.openId, vote, '免责', { comment: inline('表决意见') });
    await click(SEC.openId, vote, '免责');
    expect((await closeVoteAndConfirm(h.emu, () => h.settle(), SEC.openId, vote)).toast?.type).toBe(
      'success',
    );
    await h.settle();
    const issueForm = one(dm(SEC.openId), number, '签发认定结论', 'det.issue');
    const deadline = addCalendarDays(businessDate(new Date()), policy.correction.defaultPeriod.days);
    const issued = await issueAndConfirm(h.emu, SEC.openId, issueForm.messageId, {
      outcome: 'exempt',
      cited: ['10.4'],
      reasons: multiline('认定理由'),
      scope: 'none',
      units: ['enforcement_1'],
      correction: 'yes',
      reason: multiline('纠错事由'),
      // A line's leading list marker is taken as numbering, so the markup follows a word.
      requirements: `补办：${inline('纠错要求')}`,
      suggestions: `学习：${inline('纠错建议')}`,
      responsible: OFFICER.openId,
      deadline: `${deadline} +0800`,
      improve: multiline('完善制度'),
    });
    expect(issued.toast?.type).toBe('success');
    await h.settle();
    expect((await getCase()).status).toBe('correcting');

    expectShownAsText('核查说明', inChat(PARTY));
    for (const f of policy.factors) expectShownAsText(`因素${f.id}`, inChat(PARTY));
    expectShownAsText('表决意见', inChat(PARTY));
    expectShownAsText('认定理由', dm(OFFICER.openId));
    expectShownAsText('认定理由', inChat(UNIT));
    for (const field of ['纠错事由', '纠错要求', '纠错建议', '完善制度'])
      expectShownAsText(field, dm(OFFICER.openId));
  });

  it('the correction: progress, an extension, completion with a typed file name, a return reason', async () => {
    const order = last(dm(OFFICER.openId), '纠错通知', escapeMd('**【纠错要求】**'));
    await click(OFFICER.openId, order.messageId, '报告进展');
    await click(
      OFFICER.openId,
      last(dm(OFFICER.openId), '报告整改进展', 'corr.progress').messageId,
      '提交进展',
      {
        text: multiline('进展'),
      },
    );
    const deadline = (await getCase()).correction!.deadline;
    await click(OFFICER.openId, order.messageId, '申请延期');
    await click(
      OFFICER.openId,
      last(dm(OFFICER.openId), '申请延长整改期限', 'corr.extend').messageId,
      '提交延期申请',
      {
        reason: multiline('延期理由'),
        new_deadline: `${addCalendarDays(deadline, 10)} +0800`,
      },
    );
    const ext = last(dm(SEC.openId), '整改延期申请').messageId;
    await click(SEC.openId, ext, '不批准', { reason: multiline('不批准理由') });

    await click(OFFICER.openId, order.messageId, '报告完成');
    await h.emu.sendFile(OFFICER.openId, { fileKey: 'file_mk', fileName: `${inline('文件名')}.pdf` });
    await h.settle();
    const completion = last(dm(OFFICER.openId), '报告整改完成', 'corr.complete"').messageId;
    expect(
      (await click(OFFICER.openId, completion, '提交完成报告', { text: multiline('完成情况') })).toast?.type,
    ).toBe('success');
    const review = last(dm(SEC.openId), '整改完成，待验收').messageId;
    await click(SEC.openId, review, '退回整改', { reason: multiline('验收退回') });
    expect((await getCase()).correction?.status).toBe('open');

    for (const field of ['进展', '延期理由', '完成情况', '文件名']) expectShownAsText(field, dm(SEC.openId));
    for (const field of ['不批准理由', '文件名', '验收退回']) expectShownAsText(field, dm(OFFICER.openId));
  });

  it('a real-name report: matter, content and the names of those reported', async () => {
    // Written last so the report intake's own conversation does not take the completion's file.
    const before = every().length;
    await h.emu.sendText(OFFICER.openId, '举报');
    await h.settle();
    await click(OFFICER.openId, dm(OFFICER.openId).at(-1)!.messageId, '实名举报');
    const form = dm(OFFICER.openId).at(-1)!.messageId;
    const filed = await submitReport(h.emu, OFFICER.openId, form, '提交实名举报', {
      accused: [PM.openId],
      matter: short('举报事项'),
      content: multiline('举报内容'),
    });
    expect(filed.toast?.type, filed.toast?.content).toBe('success');
    await h.settle();
    const after = every().slice(before);
    expectShownAsText('举报事项', after);
    expectShownAsText('举报内容', dm(SEC.openId));
  });

  it('words the bot did not understand, quoted back on the help card', async () => {
    const sent = await h.emu.sendText(CLERK.openId, short('未知指令'));
    await h.settle();
    const reply = h.emu.messages({ openId: CLERK.openId }).filter((m) => m.replyTo === sent.messageId);
    expect(reply).toHaveLength(1);
    expectShownAsText('未知指令', reply);
  });

  it('no card anywhere shows typed markup, names included', () => {
    const md = shown(every());
    for (const raw of RAW)
      expect(
        md.filter((t) => t.includes(raw)),
        raw,
      ).toEqual([]);
    for (const name of [SEC.name, PM.name, INV.name])
      expect(
        md.filter((t) => t.includes(name)),
        name,
      ).toEqual([]);
    expect(md.some((t) => t.includes(escapeMd(PM.name)))).toBe(true);
  });
});
