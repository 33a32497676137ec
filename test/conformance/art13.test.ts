// 第十三条: the party group decides collectively on the five factors; the decision is told within 7 days.
// The party group's composition is part of it: nobody grants themselves a role (SPEC §1), and granting
// 党组书记 or 党组成员 — who read every case — is announced in the party chat.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueValuesFromCase } from '../../cards/determination';
import { addCalendarDays, businessDate } from '../../src/calendar';
import { roleGrantRefusal } from '../../src/cases/access';
import { defaultPolicy as policy } from '../../src/policy';
import { deliberatingCase, env, ok, run, secretary, voted } from '../cases/fixtures';
import { ADMIN } from '../support/harness';
import {
  carriedOn,
  clause,
  fieldOf,
  findingsForm,
  issue,
  orderFields,
  PARTY,
  PM,
  PUB,
  refusedWith,
  SUBJECT,
  startWorld,
  text,
  type World,
} from './support';

const LEAD = clause('由兴安盟国防动员办公室党组统一领导');
const FACTORS = clause('结合主观、客观条件、程序方法、性质程度、后果影响以及挽回损失等情况进行综合分析研判');
const SEVEN_DAYS = clause('容错决定作出后，应当于7日内告知相关单位及当事人，一般应在一定范围内公开');

describe(`第十三条「${LEAD}」「${FACTORS}」`, () => {
  it('only the outcome the party group carried can be issued; no majority, no determination', () => {
    refusedWith(issue(carriedOn({}, 'lighter'), { outcome: 'exempt' }), /表决通过的是「从轻」/);
    const split = run(
      voted(deliberatingCase(5), ['exempt', 'exempt', 'lighter', 'lighter', 'refuse']),
      { type: 'close_vote' },
      secretary,
    );
    refusedWith(issue(split), /没有任何意见获得多数/);
  });

  it('every one of the five factors is required', () => {
    for (const f of policy.factors) {
      const factors = Object.fromEntries(policy.factors.map((x) => [x.id, x.id === f.id ? ' ' : '已研判']));
      refusedWith(issue(carriedOn({}, 'exempt'), { factors }), new RegExp(f.name));
    }
  });

  it('认定理由 starts from the investigator’s note, never the assessment engine’s 「本评估仅供党组参考」', () => {
    const c = carriedOn({ note: '核查说明：情况属实。' }, 'exempt');
    expect(c.findings?.assessment.summary).toContain('本评估仅供党组参考');
    const values = issueValuesFromCase(policy, c, 'exempt', '2026-04-01');
    expect(values.reasons).toBe('核查说明：情况属实。');
    expect(values.reasons).not.toContain('仅供党组参考');
  });

  it(`「${SEVEN_DAYS}」: notices to the subject and the unit are due 7 calendar days after the decision`, () => {
    const d = ok(issue(carriedOn({}, 'exempt'), { publication: { scope: 'party' } }));
    const due = addCalendarDays(businessDate(env.now), 7);
    expect(d.state.notices.map((n) => [n.kind, n.dueOn])).toEqual([
      ['subject', due],
      ['unit', due],
      ['publication', due],
    ]);
  });

  it('nobody grants themselves a role', () => {
    expect(roleGrantRefusal(ADMIN.openId, ADMIN.openId)?.reason).toContain('不能为自己设置角色');
    expect(roleGrantRefusal(ADMIN.openId, SUBJECT.openId)).toBeNull();
  });
});

describe('第十三条 end to end through the emulator', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
  });
  afterAll(async () => w?.h.close());

  it(`「${FACTORS}」「${SEVEN_DAYS}」: the issue form brings the note, not the engine’s caveat; the notices go out, due in 7 days`, async () => {
    const { h, getCase, issueOn, dm, one } = w;
    const { id, number, issueForm } = await w.carried(
      findingsForm({ items: ['10.4'], outcome: 'exempt', note: '核查组意见：处置得当。' }),
      '免责',
    );
    expect(fieldOf(issueForm.content, 'reasons')?.default_value).toBe('核查组意见：处置得当。');
    expect(text(issueForm)).not.toContain('仅供党组参考');
    const issued = await issueOn(issueForm, {
      outcome: 'exempt',
      cited: ['10.4'],
      reasons: '核查组意见：处置得当。',
      ...orderFields(),
    });
    expect(issued.toast?.type, issued.toast?.content).toBe('success');
    await h.settle();
    const c = await getCase(id);
    expect(c.determination?.reasons).not.toContain('仅供党组参考');
    const due = addCalendarDays(businessDate(new Date(c.decidedAt!)), 7);
    expect(c.notices.every((n) => n.dueOn === due)).toBe(true);
    expect(text(one(dm(SUBJECT.openId), number, '容错认定结论告知'))).toContain('核查组意见：处置得当。');
    expect(c.notices.find((n) => n.kind === 'subject')?.deliveredAt).not.toBeNull();
  });

  it('an admin sending 「党组书记 @自己」 is refused and gains nothing; a 党组成员 granted elsewhere is announced in the party chat', async () => {
    const { h, inChat, repo } = w;
    h.emu.addChat({ chatId: PUB, name: '公示群', members: [ADMIN.openId, PM[0].openId, 'ou_conf_new'] });
    h.emu.addUser({ openId: 'ou_conf_new', name: '钱委员' });
    const self = await h.emu.sendText(ADMIN.openId, '党组书记', {
      chatId: PUB,
      mentionBot: true,
      mentions: [ADMIN],
    });
    await h.settle();
    const reply = h.emu.messages({ chatId: PUB }).find((m) => m.replyTo === self.messageId);
    expect(text(reply)).toContain('不能为自己设置角色');
    expect(await repo().rolesOf(ADMIN.openId)).not.toContain('secretary');
    expect(inChat(PARTY).filter((m) => text(m).includes('党组名单变动'))).toHaveLength(0);

    const grant = await h.emu.sendText(ADMIN.openId, '党组成员', {
      chatId: PUB,
      mentionBot: true,
      mentions: [{ openId: 'ou_conf_new', name: '钱委员' }],
    });
    await h.settle();
    const granted = h.emu.messages({ chatId: PUB }).find((m) => m.replyTo === grant.messageId);
    expect(text(granted)).toContain('已在党组群公告');
    expect(await repo().rolesOf('ou_conf_new')).toContain('party_member');
    const notice = inChat(PARTY).filter((m) => text(m).includes('党组名单变动'));
    expect(notice).toHaveLength(1);
    expect(text(notice[0])).toContain('钱委员');
    expect(text(notice[0])).toContain('党组成员');
  });
});
