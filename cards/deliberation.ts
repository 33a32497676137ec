import { BASIS_LABEL } from '../src/cases/common';
import { tally } from '../src/cases/deliberation';
import { basisFromFindings, carriedIssuable, issuableOutcomes } from '../src/cases/determination';
import type {
  CaseFacts,
  Deliberation,
  DeliberationResult,
  Determination,
  ExemptionBasis,
  Findings,
  LegalBasis,
} from '../src/cases/types';
import { meetsRatio, type Policy, type Ratio } from '../src/policy';
import { button, buttonRow, callback, card, clip, escapeMd, hr, md, plain, tagColor } from './common';
import { conditionLines, factsLines, findingsLines } from './findings';

export interface DeliberationCardData {
  policy: Policy;
  caseId: string;
  number: string | null;
  title: string;
  subjectName: string | null;
  facts: CaseFacts;
  findings: Findings | null;
  deliberation: Deliberation;
  /** Display names by open id (from the roster). */
  names: Record<string, string>;
  /** Set when a later round replaced this one. */
  supersededBy?: number;
  /** The determination issued on this round, whose basis the record shows. */
  determination?: Determination | null;
}

/** Art. 10 para. 2 and art. 12 as stated, and why it differs from the findings when it does. */
export function basisLines(policy: Policy, b: LegalBasis, departureReason: string | null = null): string[] {
  return [
    `**${policy.conditionsLead.citation}三项条件**`,
    ...conditionLines(policy, b.conditions),
    `**第十二条**：${b.article12 ? '适用（不予容错）' : '不适用'}`,
    ...(departureReason ? [`**与核查意见不同的理由**：${escapeMd(clip(departureReason, 300))}`] : []),
  ];
}

/** What can be issued on the findings (arts. 9–12), so members vote knowing it. */
export function issuableLine(policy: Policy, facts: CaseFacts, findings: Findings | null): string {
  const items = findings?.items ?? facts.items;
  const b = basisFromFindings({ facts, findings }, policy);
  const ok = issuableOutcomes(items, b, policy).map(
    (o) => `「${voteLabelOf(policy, o.outcome)}${basisNote(o.basis)}」`,
  );
  return `**依核查意见可以签发的认定**：${ok.join('、')}。${b.article12 ? '适用第十二条，只能不予容错。' : ''}表决通过其他意见的，须说明认定依据与核查意见不同的理由。`;
}

export function ratioText(r: Ratio): string {
  const named: Record<string, string> = {
    '1/2': '半数',
    '2/3': '三分之二',
    '1/3': '三分之一',
    '3/4': '四分之三',
  };
  return `${r.strict ? '超过' : '达到'}${named[`${r.numerator}/${r.denominator}`] ?? `${r.numerator}/${r.denominator}`}`;
}

export const voteLabelOf = (policy: Policy, id: string) =>
  policy.voteOptions.find((o) => o.id === id)?.label ?? id;

/** What an exempting outcome rests on, written after it: 「（尽职免责）」, 「（容错免责）」, or nothing. */
export const basisNote = (basis: ExemptionBasis | null) => (basis ? `（${BASIS_LABEL[basis].label}）` : '');

export function displayName(names: Record<string, string>, openId: string): string {
  const name = names[openId];
  return name ? escapeMd(name) : `成员${openId.slice(-4)}`;
}

export function tallyLine(policy: Policy, r: DeliberationResult): string {
  return policy.voteOptions.map((o) => `${o.label} **${r.tally[o.id] ?? 0}**`).join('　');
}

/**
 * The vote card in the party-group chat, updated in place for everyone: facts, findings, the live
 * tally, who has voted (记名) and whether the quorum is met; the buttons follow the round's state.
 */
export function deliberationCard(d: DeliberationCardData) {
  const { policy, deliberation: del } = d;
  const r = del.result ?? tally(del, policy);
  const quorum = policy.deliberation.quorum;
  const quorumMet = meetsRatio(r.cast, r.eligible, quorum);
  const open = del.status === 'open' && d.supersededBy === undefined;
  const voters = del.eligibleVoters.map((id) => {
    const v = del.votes[id];
    const who = displayName(d.names, id);
    if (!v) return `⏳ ${who}：未投票`;
    return `✅ ${who}：${voteLabelOf(policy, v.option)}${v.comment ? `（${escapeMd(clip(v.comment, 60))}）` : ''}`;
  });
  const elements: object[] = [
    md(factsLines(policy, d.facts, d.subjectName).join('\n')),
    hr(),
    md(
      d.findings
        ? [
            ...findingsLines(policy, d.findings),
            `**第十二条**：${basisFromFindings(d, policy).article12 ? '适用（不予容错）' : '不适用'}`,
            issuableLine(policy, d.facts, d.findings),
          ].join('\n')
        : '核查意见未提交。',
    ),
    hr(),
    md(
      [
        `**表决情况（记名）** 应参加 ${r.eligible} 人（当事人依规回避），已投 ${r.cast} 人`,
        `法定人数（${ratioText(quorum)}应参加人数）：${quorumMet ? '✅ 已达到' : '⏳ 未达到'}`,
        tallyLine(policy, r),
        ...voters,
      ].join('\n'),
    ),
  ];
  if (d.supersededBy !== undefined) {
    elements.push(md(`本轮未形成多数意见，已进入第 ${d.supersededBy} 轮表决，请在新的表决卡片中投票。`));
  } else if (open) {
    elements.push(hr(), {
      tag: 'form',
      name: `vote_${del.round}`,
      elements: [
        {
          tag: 'input',
          name: 'comment',
          max_length: policy.limits.textMaxLength,
          placeholder: plain('表决意见（选填），填写后点击下方表决按钮'),
          width: 'fill',
        },
        buttonRow(
          policy.voteOptions.map((o) => ({
            tag: 'button',
            name: `vote_${o.id}`,
            text: plain(o.label),
            type: o.id === 'refuse' ? 'danger' : o.id === 'exempt' ? 'primary' : 'default',
            form_action_type: 'submit',
            behaviors: callback({ a: 'delib.vote', case: d.caseId, round: del.round, v: o.id }),
          })),
        ),
      ],
    });
    elements.push(
      md(
        `每位成员一票，表决结束前可以改投。意见获得投票${ratioText(policy.deliberation.majority)}即为通过。由党组书记结束表决。`,
      ),
      buttonRow([
        // No pop-up here: the round is checked first, then the secretary confirms on a review (closeReviewCard).
        button('结束表决', { a: 'delib.close', case: d.caseId, round: del.round, src: 'card' }),
      ]),
    );
  } else if (d.determination && d.determination.round === del.round) {
    const det = d.determination;
    elements.push(
      hr(),
      md(
        [
          `**表决结果**：「${voteLabelOf(policy, det.outcome)}」获得多数通过，认定结论已签发${basisNote(det.basis)}。`,
          ...(det.legalBasis ? basisLines(policy, det.legalBasis, det.legalBasis.departureReason) : []),
        ].join('\n'),
      ),
    );
  } else if (r.carried) {
    // A majority for what the findings cannot support (arts. 9–12) still goes to the secretary, who may state a
    // different basis, or the vote is taken again.
    const issuable = carriedIssuable({ facts: d.facts, findings: d.findings, deliberation: del }, policy);
    const carried = `**表决结果**：「${voteLabelOf(policy, r.carried)}」获得多数通过`;
    elements.push(
      hr(),
      md(
        issuable
          ? `${carried}。由党组书记签发认定结论。`
          : `${carried}，但依核查意见不能作出该认定（第九条至第十二条）。党组书记可以在签发表单中说明理由改变认定依据，或重新表决。`,
      ),
      buttonRow([
        button('签发认定结论', { a: 'det.form', case: d.caseId, round: del.round }, { type: 'primary' }),
        ...(issuable ? [] : [button('重新表决', { a: 'delib.reopen', case: d.caseId, round: del.round })]),
      ]),
    );
  } else {
    elements.push(
      hr(),
      md('**表决结果**：没有任何意见获得多数，不能作出认定结论。党组书记可以重新表决。'),
      buttonRow([button('重新表决', { a: 'delib.reopen', case: d.caseId, round: del.round })]),
    );
  }
  const status = d.supersededBy !== undefined ? '已重新表决' : open ? '表决中' : '已结束';
  const template = open ? 'blue' : r.carried ? 'green' : 'grey';
  return card({
    title: `党组审议表决（第 ${del.round} 轮）`,
    subtitle: `${d.number ?? ''} ${clip(d.title, 40)}`.trim(),
    template,
    tags: [{ text: status, color: tagColor(template) }],
    summary: `表决：${d.number ?? ''} ${status}`,
    elements,
  });
}

/**
 * The checked round before it is closed: the tally it would close on and what that result means, with
 * 确认结束表决. `votes` is the tally seen here, so a vote cast meanwhile asks for a fresh look.
 */
export function closeReviewCard(d: {
  policy: Policy;
  caseId: string;
  number: string | null;
  title: string;
  round: number;
  result: DeliberationResult;
  votes: string;
}) {
  const carried = d.result.carried;
  return card({
    title: `确认结束表决（第 ${d.round} 轮）`,
    subtitle: `${d.number ?? ''} ${clip(d.title, 40)}`.trim(),
    template: 'blue',
    summary: `${d.number ?? ''} 请确认结束第 ${d.round} 轮表决`,
    elements: [
      md(
        [
          `应参加 ${d.result.eligible} 人，已投票 ${d.result.cast} 人。`,
          tallyLine(d.policy, d.result),
          carried
            ? `按以上票数，「${voteLabelOf(d.policy, carried)}」获得多数通过，结束后由党组书记签发认定结论。`
            : '按以上票数，没有任何意见获得多数，结束后不能作出认定结论，可以重新表决。',
        ].join('\n'),
      ),
      hr(),
      md('结束后不能再投票，按结束时的票数形成表决结果。'),
      buttonRow([
        button(
          '确认结束表决',
          { a: 'delib.close', case: d.caseId, round: d.round, src: 'dm', step: 'confirm', votes: d.votes },
          { type: 'primary' },
        ),
      ]),
    ],
  });
}

/** To the secretary: every eligible member has voted. */
export function allVotedCard(d: {
  policy: Policy;
  caseId: string;
  number: string | null;
  round: number;
  result: DeliberationResult;
}) {
  return card({
    title: '全部成员已投票',
    subtitle: d.number ?? '',
    template: 'wathet',
    summary: `${d.number ?? ''} 全部成员已投票`,
    elements: [
      md(
        `第 ${d.round} 轮表决：应参加 ${d.result.eligible} 人，已全部投票。\n${tallyLine(d.policy, d.result)}`,
      ),
      buttonRow([
        button(
          '结束表决',
          { a: 'delib.close', case: d.caseId, round: d.round, src: 'dm' },
          { type: 'primary' },
        ),
      ]),
    ],
  });
}

/** Posted to the party group when a round closes. */
export function voteClosedCard(d: {
  policy: Policy;
  number: string | null;
  title: string;
  round: number;
  result: DeliberationResult;
}) {
  const carried = d.result.carried;
  return card({
    title: carried ? '表决结束：形成多数意见' : '表决结束：未形成多数意见',
    subtitle: `${d.number ?? ''} ${clip(d.title, 40)}`.trim(),
    template: carried ? 'green' : 'grey',
    summary: `${d.number ?? ''} 第 ${d.round} 轮表决结束`,
    elements: [
      md(
        [
          `第 ${d.round} 轮：应参加 ${d.result.eligible} 人，实际投票 ${d.result.cast} 人。`,
          tallyLine(d.policy, d.result),
          carried
            ? `「${voteLabelOf(d.policy, carried)}」获得多数通过，由党组书记签发认定结论。`
            : '没有任何意见获得多数，党组书记可以重新表决。',
        ].join('\n'),
      ),
    ],
  });
}

/** To the secretary after a round closed without a majority. */
export function reopenCard(d: {
  policy: Policy;
  caseId: string;
  number: string | null;
  round: number;
  result: DeliberationResult;
}) {
  return card({
    title: '未形成多数意见',
    subtitle: d.number ?? '',
    template: 'orange',
    summary: `${d.number ?? ''} 未形成多数意见`,
    elements: [
      md(
        `第 ${d.round} 轮表决没有任何意见获得多数，不能作出认定结论。\n${tallyLine(d.policy, d.result)}\n可以在党组充分讨论后重新表决。`,
      ),
      buttonRow([
        button('重新表决', { a: 'delib.reopen', case: d.caseId, round: d.round }, { type: 'primary' }),
      ]),
    ],
  });
}
