import { describe, expect, it } from 'vitest';
import { CARD_MAX_BYTES, cardBytes } from '../../cards/common';
import { allVotedCard, deliberationCard, reopenCard, voteClosedCard } from '../../cards/deliberation';
import { issuedCard, issueFormCard, issueValuesFromCase } from '../../cards/determination';
import {
  FACTOR_MAX_LENGTH,
  findingsCard,
  findingsSentCard,
  findingsSubmittedCard,
  findingsValuesFromCase,
  NOTE_MAX_LENGTH,
} from '../../cards/findings';
import {
  decisionReminderCard,
  determinationNoticeCard,
  noticeCompliance,
  noticeEscalationCard,
  noticeFollowUpCard,
} from '../../cards/notice';
import { tally } from '../../src/cases';
import type { Case, Notice } from '../../src/cases/types';
import { defaultPolicy as policy } from '../../src/policy';
import {
  carriedCase,
  determinationCommand,
  envAt,
  noCorrection,
  run,
  secretary,
  withFindings,
} from '../cases/fixtures';

const LONG = '长'.repeat(2000);
const buttonsOf = (c: object) =>
  [
    ...JSON.stringify(c).matchAll(
      /"content":"([^"]+)"},"type":"[a-z_]+"(?:,"name":"[^"]+")?(?:,"form_action_type":"submit")?/g,
    ),
  ].map((m) => m[1]);

/** The largest realistic case: every text at the policy's limit, 15 voters each with a maximal comment. */
function maximal(): Case {
  const base = withFindings();
  const factors = Object.fromEntries(policy.factors.map((f) => [f.id, LONG]));
  const voters = Array.from({ length: 15 }, (_, i) => `ou_member_${i}`);
  const votes = Object.fromEntries(
    voters.map((id, i) => [id, { option: policy.voteOptions[i % 4]!.id, comment: LONG, at: base.createdAt }]),
  );
  return {
    ...base,
    subjectName: '张'.repeat(20),
    facts: {
      ...base.facts,
      title: '题'.repeat(60),
      story: LONG,
      lossAndImpact: LONG,
      remedies: LONG,
      items: policy.items.map((i) => i.id),
    },
    findings: { ...base.findings!, items: policy.items.map((i) => i.id), factors, note: LONG },
    status: 'deliberating',
    deliberation: {
      round: 3,
      eligibleVoters: voters,
      votes,
      status: 'open',
      openedAt: base.createdAt,
      openedBy: secretary.openId,
      closedAt: null,
      result: null,
    },
  };
}

const names = Object.fromEntries(
  Array.from({ length: 15 }, (_, i) => [`ou_member_${i}`, `成员姓名${i}号很长很长`]),
);

describe('deliberation cards', () => {
  it('the vote card shows the named tally, the quorum and four vote buttons in a form, under 30 KB at its largest', () => {
    const c = maximal();
    const card = deliberationCard({
      policy,
      caseId: c.id,
      number: c.number,
      title: c.facts.title,
      subjectName: c.subjectName,
      facts: c.facts,
      findings: c.findings,
      deliberation: c.deliberation!,
      names,
    });
    expect(card.schema).toBe('2.0');
    expect(card.config.update_multi).toBe(true);
    const json = JSON.stringify(card);
    expect(json).toContain('党组审议表决（第 3 轮）');
    expect(json).toContain('应参加 15 人（当事人依规回避），已投 15 人');
    expect(json).toContain('✅ 已达到');
    expect(json).toContain('免责 **4**　从轻 **4**　减轻 **4**　不予容错 **3**');
    expect(json).toContain('✅ 成员姓名0号很长很长：免责');
    const form = card.body.elements.find((e) => (e as { tag: string }).tag === 'form') as {
      name: string;
      elements: object[];
    };
    expect(form.name).toBe('vote_3');
    expect(JSON.stringify(form)).toContain('"name":"comment"');
    for (const o of policy.voteOptions)
      expect(JSON.stringify(form)).toContain(`{"a":"delib.vote","case":"${c.id}","round":3,"v":"${o.id}"}`);
    expect(json).toContain('"a":"delib.close"');
    expect(cardBytes(card)).toBeLessThan(CARD_MAX_BYTES);
  });

  it('a closed round offers 签发认定结论 when an option carried and 重新表决 when none did', () => {
    const carried = carriedCase('exempt');
    const data = {
      policy,
      caseId: carried.id,
      number: carried.number,
      title: carried.facts.title,
      subjectName: carried.subjectName,
      facts: carried.facts,
      findings: carried.findings,
      names: {},
    };
    const won = JSON.stringify(deliberationCard({ ...data, deliberation: carried.deliberation! }));
    expect(won).toContain('「免责」获得多数通过');
    expect(won).toContain('"a":"det.form"');
    expect(won).not.toContain('delib.vote');
    expect(won).toContain('由党组书记签发认定结论');
    expect(won).not.toContain('delib.reopen');
    // A majority for 免责 when the findings meet only two of art. 10 para. 2's conditions: both ways forward.
    const short = {
      ...data,
      findings: {
        ...carried.findings!,
        conditions: { ...carried.findings!.conditions, '10.c1': false },
      },
    };
    const unsupported = deliberationCard({ ...short, deliberation: carried.deliberation! });
    expect(JSON.stringify(unsupported)).toContain('「免责」获得多数通过，但依核查意见不能作出该认定');
    expect(buttonsOf(unsupported)).toEqual(['签发认定结论', '重新表决']);
    expect(JSON.stringify(unsupported)).toContain('"a":"det.form"');
    expect(JSON.stringify(unsupported)).toContain('"a":"delib.reopen"');
    const tie = { ...carried.deliberation!, result: { ...carried.deliberation!.result!, carried: null } };
    const lost = JSON.stringify(deliberationCard({ ...data, deliberation: tie }));
    expect(lost).toContain('没有任何意见获得多数');
    expect(lost).toContain('"a":"delib.reopen"');
    const superseded = JSON.stringify(deliberationCard({ ...data, deliberation: tie, supersededBy: 2 }));
    expect(superseded).toContain('已进入第 2 轮表决');
    expect(superseded).not.toContain('"a":"delib.');
    const r = tally(carried.deliberation!, policy);
    for (const small of [
      allVotedCard({ policy, caseId: carried.id, number: carried.number, round: 1, result: r }),
      voteClosedCard({ policy, number: carried.number, title: carried.facts.title, round: 1, result: r }),
      reopenCard({ policy, caseId: carried.id, number: carried.number, round: 1, result: r }),
    ])
      expect(cardBytes(small)).toBeLessThan(CARD_MAX_BYTES);
  });

  it('the findings form groups items by article with citations and keeps what was typed', () => {
    const c = maximal();
    // Everything typed at the inputs' limits, as a refused submission shows it again.
    const values = {
      ...findingsValuesFromCase(c),
      factors: Object.fromEntries(policy.factors.map((f) => [f.id, '研'.repeat(FACTOR_MAX_LENGTH)])),
      note: `我写的说明${'说'.repeat(NOTE_MAX_LENGTH - 5)}`,
    };
    const card = findingsCard({
      policy,
      caseId: c.id,
      number: c.number,
      subjectName: c.subjectName,
      facts: c.facts,
      decisionDueOn: '2026-03-23',
      values,
      error: '请填写综合分析研判：程序方法。',
    });
    const json = JSON.stringify(card);
    for (const name of [
      'items_9',
      'items_10',
      'items_11',
      'items_12',
      'cond_1',
      'cond_2',
      'cond_3',
      'outcome',
      'error_category',
      'enforcement_area',
      'note',
    ])
      expect(json).toContain(`"name":"${name}"`);
    for (const f of policy.factors) expect(json).toContain(`"name":"factor_${f.id}"`);
    expect(json).toContain('第十条第（四）项');
    expect(json).toContain('未能提交');
    expect(json).toContain('我写的说明');
    expect(json).toContain('{"a":"findings.submit","case":"case-1"}');
    expect(cardBytes(card)).toBeLessThan(CARD_MAX_BYTES);
    const sent = findingsSentCard({ policy, number: c.number, title: c.facts.title, findings: c.findings! });
    const submitted = findingsSubmittedCard({
      policy,
      caseId: c.id,
      number: c.number,
      title: c.facts.title,
      subjectName: c.subjectName,
      facts: c.facts,
      findings: c.findings!,
      decisionDueOn: null,
    });
    expect(JSON.stringify(submitted)).toContain('"a":"delib.open"');
    for (const x of [sent, submitted]) expect(cardBytes(x)).toBeLessThan(CARD_MAX_BYTES);
  });

  it('the issuing form is pre-filled from the vote and findings and offers the bound chats', () => {
    const c = { ...carriedCase('exempt'), findings: maximal().findings };
    const card = issueFormCard({
      policy,
      c,
      carried: 'exempt',
      round: 1,
      chats: [{ chatId: 'oc_pub', label: '公示群' }],
      people: [{ openId: c.subjectOpenId, name: '张执法（当事人）' }],
      values: issueValuesFromCase(policy, c, 'exempt', '2026-04-01'),
    });
    const json = JSON.stringify(card);
    expect(json).toContain('"initial_option":"exempt"');
    expect(json).toContain('{"text":{"tag":"plain_text","content":"公示群"},"value":"oc_pub"}');
    expect(json).toContain('"a":"det.issue"');
    expect(card.config.update_multi).toBe(true);
    expect(cardBytes(card)).toBeLessThan(CARD_MAX_BYTES);
  });
});

describe('notice cards and compliance', () => {
  const decided = run(carriedCase('exempt'), { ...determinationCommand, ...noCorrection }, secretary);
  const det = decided.determination!;

  it('the subject’s notice carries the art. 14 statement and a 确认收到 button until acknowledged', () => {
    const card = determinationNoticeCard({
      policy,
      c: decided,
      det,
      noticeId: 'n1',
      kind: 'subject',
      dueOn: '2026-03-09',
    });
    const json = JSON.stringify(card);
    expect(json).toContain('第十四条');
    expect(json).toContain('不作为执法错误认定');
    expect(json).toContain('{"a":"notice.ack","case":"case-1","notice":"n1"}');
    const acked = JSON.stringify(
      determinationNoticeCard({
        policy,
        c: decided,
        det,
        noticeId: 'n1',
        kind: 'subject',
        dueOn: '2026-03-09',
        acknowledgedAt: '2026-03-03T02:15:00.000Z',
      }),
    );
    expect(acked).toContain('您已于 2026-03-03 10:15 确认收到本告知');
    expect(acked).not.toContain('notice.ack');
    const refused = {
      ...det,
      outcome: 'refuse' as const,
      basis: null,
      notErrorRecord: false,
      statement: null,
    };
    for (const kind of ['subject', 'unit', 'publication'] as const) {
      const r = JSON.stringify(
        determinationNoticeCard({
          policy,
          c: decided,
          det: refused,
          noticeId: 'n1',
          kind,
          dueOn: '2026-03-09',
        }),
      );
      expect(r).not.toContain('不作为执法错误认定');
      expect(
        cardBytes(
          determinationNoticeCard({
            policy,
            c: maximal(),
            det: { ...det, reasons: LONG, factors: maximal().findings!.factors },
            noticeId: 'n1',
            kind,
            dueOn: '2026-03-09',
          }),
        ),
      ).toBeLessThan(CARD_MAX_BYTES);
    }
    expect(buttonsOf(card)).toContain('确认收到');
    expect(cardBytes(issuedCard({ policy, c: decided, det }))).toBeLessThan(CARD_MAX_BYTES);
  });

  it('escalation, follow-up and deadline reminders say what happened and what to do', () => {
    const esc = JSON.stringify(
      noticeEscalationCard({
        policy,
        c: decided,
        kind: 'unit',
        target: { chat: { unit: 'enforcement_1' } },
        dueOn: '2026-03-09',
        sent: false,
        lastError: 'permanent:230002',
      }),
    );
    expect(esc).toContain('科室群（执法一科）');
    expect(esc).toContain('机器人不在该群中');
    const follow = JSON.stringify(
      noticeFollowUpCard({
        policy,
        c: decided,
        items: [{ target: { user: 'ou_subject' }, action: 'remind', dueOn: '2026-03-09' }],
      }),
    );
    expect(follow).toContain('当事人（私聊）：尚未确认收到，已再次提醒');
    expect(
      JSON.stringify(
        decisionReminderCard({ number: 'x', title: 't', dueOn: '2026-03-23', daysLeft: 3, step: '请投票' }),
      ),
    ).toContain('距认定期限还有 3 个工作日');
    expect(
      JSON.stringify(
        decisionReminderCard({ number: 'x', title: 't', dueOn: '2026-03-23', daysLeft: -2, step: '请投票' }),
      ),
    ).toContain('已超过认定期限 2 个工作日');
  });

  it('noticeCompliance counts done notices and flags overdue ones', () => {
    expect(noticeCompliance({ ...decided, notices: [] }).summary).toBe('告知：尚未开始');
    const [subject, unit] = decided.notices as [Notice, Notice];
    const at = envAt('2026-03-03T02:00:00Z').now.toISOString();
    const half = {
      ...decided,
      notices: [
        { ...subject, deliveredAt: at },
        { ...unit, deliveredAt: at },
      ],
    };
    const r = noticeCompliance(half, '2026-03-05', policy);
    expect(r).toMatchObject({ total: 2, done: 1, overdue: false });
    expect(r.notices.map((n) => n.state)).toEqual(['delivered', 'delivered']);
    expect(r.notices[0]?.text).toBe('已送达，待确认收到');
    expect(r.summary).toBe(`告知：1/2 已完成（期限 ${subject.dueOn}）`);
    const late = noticeCompliance(half, '2099-01-01');
    expect(late.overdue).toBe(true);
    expect(late.notices[0]?.state).toBe('overdue');
    const failed = noticeCompliance(
      { ...decided, notices: [{ ...unit, failedAt: at, lastError: 'permanent:230002' }] },
      '2026-03-03',
    );
    expect(failed.notices[0]?.text).toBe('未能送达，将自动重发');
    const all = {
      ...half,
      notices: [
        { ...subject, deliveredAt: at, acknowledgedAt: at },
        { ...unit, deliveredAt: at },
      ],
    };
    expect(noticeCompliance(all, '2099-01-01')).toMatchObject({
      done: 2,
      overdue: false,
      summary: '告知：2/2 已完成',
    });
  });
});
