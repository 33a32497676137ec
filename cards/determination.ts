import type { Case, Determination, PublicationScope, VoteOption } from '../src/cases/types';
import type { Policy } from '../src/policy';
import { button, buttonRow, card, hr, md, plain } from './common';
import { CORRECTION_ACTIONS } from './correction';
import { voteLabelOf } from './deliberation';
import { clip, factorLines, findingsLines, itemLines } from './findings';

export interface IssueValues {
  outcome: VoteOption | null;
  citedItems: string[];
  reasons: string;
  scope: PublicationScope;
  chatId: string | null;
  /** Related units notified besides the case's own unit. */
  units: string[];
  correction: boolean;
}

export interface ChatChoice {
  chatId: string;
  label: string;
}

export interface IssueFormData {
  policy: Policy;
  c: Case;
  /** The option that carried in the closed round (null when none did). */
  carried: VoteOption | null;
  round: number;
  chats: ChatChoice[];
  values: IssueValues;
  error?: string;
}

const option = (label: string, value: string) => ({ text: plain(label), value });

/** Pre-filled from the vote and the findings: the secretary confirms rather than retypes. */
export function issueValuesFromCase(c: Case, carried: VoteOption | null): IssueValues {
  const f = c.findings;
  const reasons = f
    ? [f.assessment.summary, f.note]
        .map((s) => s.trim())
        .filter(Boolean)
        .join('\n')
    : '';
  return {
    outcome: carried,
    citedItems: f ? [...f.items] : [...c.facts.items],
    reasons,
    scope: 'party',
    chatId: null,
    units: [],
    correction: true,
  };
}

/** 签发认定结论: the secretary's form, sent in the direct chat once an outcome carried. */
export function issueFormCard(d: IssueFormData) {
  const { policy, c, values } = d;
  const carried = d.carried ? voteLabelOf(policy, d.carried) : '无';
  const ownUnit = c.facts.unitId;
  const elements: object[] = [];
  if (d.error) elements.push(md(`⚠️ **未能签发**：${d.error}\n已保留您填写的内容，请修改后重新签发。`));
  elements.push(
    md(
      [
        `**党组表决结果**（第 ${d.round} 轮）：「${carried}」获得多数通过`,
        ...(c.findings ? findingsLines(policy, c.findings) : []),
      ].join('\n'),
    ),
    hr(),
    {
      tag: 'form',
      name: 'issue',
      elements: [
        {
          tag: 'select_static',
          name: 'outcome',
          placeholder: plain('认定结论'),
          width: 'fill',
          options: policy.voteOptions.map((o) => option(`认定结论：${o.label}`, o.id)),
          ...(values.outcome ? { initial_option: values.outcome } : {}),
        },
        {
          tag: 'multi_select_static',
          name: 'cited',
          placeholder: plain('认定所依据的条款情形'),
          width: 'fill',
          options: policy.items.map((i) => option(`${i.citation} ${clip(i.hint, 30)}`, i.id)),
          selected_values: values.citedItems,
        },
        {
          tag: 'input',
          name: 'reasons',
          input_type: 'multiline_text',
          rows: 4,
          required: true,
          max_length: policy.limits.textMaxLength,
          label: plain('认定理由'),
          label_position: 'top',
          default_value: values.reasons,
        },
        {
          tag: 'select_static',
          name: 'scope',
          placeholder: plain('公开范围（第十三条：一般应在一定范围内公开）'),
          width: 'fill',
          options: policy.publicationScopes.map((s) => option(`公开范围：${s.label}`, s.id)),
          initial_option: values.scope,
        },
        {
          tag: 'select_static',
          name: 'chat',
          placeholder: plain(d.chats.length ? '公开范围为指定群时，选择群聊' : '尚未绑定可选的群聊'),
          width: 'fill',
          options: d.chats.length
            ? d.chats.map((ch) => option(ch.label, ch.chatId))
            : [option('尚未绑定群聊（请管理员在群中发送「设为公示群」）', 'none')],
          ...(values.chatId ? { initial_option: values.chatId } : {}),
        },
        {
          tag: 'multi_select_static',
          name: 'units',
          placeholder: plain('另需告知的相关科室（本案科室自动告知）'),
          width: 'fill',
          options: policy.units.filter((u) => u.id !== ownUnit).map((u) => option(u.name, u.id)),
          selected_values: values.units,
        },
        {
          tag: 'select_static',
          name: 'correction',
          placeholder: plain('是否启动纠错（第十五条）'),
          width: 'fill',
          options: [option('同时启动纠错程序（第十五条）', 'yes'), option('不需要纠错', 'no')],
          initial_option: values.correction ? 'yes' : 'no',
        },
        {
          tag: 'button',
          name: 'issue_submit',
          text: plain('签发认定结论'),
          type: 'primary',
          form_action_type: 'submit',
          // No pop-up here: the form is checked first, then the answer asks to confirm (issueReviewCard).
          behaviors: [{ type: 'callback', value: { a: 'det.issue', case: c.id, round: d.round } }],
        },
      ],
    },
  );
  return card({
    title: '签发认定结论',
    subtitle: `${c.number ?? ''} ${clip(c.facts.title, 40)}`.trim(),
    template: 'indigo',
    summary: `${c.number ?? ''} 签发认定结论`,
    elements,
    shared: false,
  });
}

/**
 * The checked determination before it is issued: what will be recorded, with 确认签发 (the values travel in
 * the button) and 返回修改 (the form again, as filled in).
 */
export function issueReviewCard(d: {
  policy: Policy;
  c: Case;
  round: number;
  det: Determination;
  values: IssueValues;
}) {
  const value = (step: 'confirm' | 'edit') => ({
    a: 'det.issue',
    case: d.c.id,
    round: d.round,
    step,
    values: d.values,
  });
  return card({
    title: '确认签发认定结论',
    subtitle: `${d.c.number ?? ''} ${clip(d.c.facts.title, 40)}`.trim(),
    template: 'indigo',
    summary: `${d.c.number ?? ''} 请确认签发认定结论`,
    elements: [
      md(determinationLines(d.policy, d.det).join('\n')),
      hr(),
      md(
        `请核对以上内容。签发后将在 ${d.policy.notice.days} 日内告知当事人和相关科室（第十三条），不能撤回。`,
      ),
      buttonRow([
        button('确认签发', value('confirm'), { type: 'primary' }),
        button('返回修改', value('edit')),
      ]),
    ],
    shared: false,
  });
}

/** The determination as recorded, for the secretary's confirmation. */
export function determinationLines(policy: Policy, det: Determination): string[] {
  const scope =
    policy.publicationScopes.find((s) => s.id === det.publication.scope)?.label ?? det.publication.scope;
  return [
    `**认定结论**：${voteLabelOf(policy, det.outcome)}${det.basis === 'duty' ? '（尽职免责）' : det.basis === 'tolerance' ? '（容错免责）' : ''}`,
    '**依据**',
    ...itemLines(policy, det.citedItems),
    `**认定理由**：${clip(det.reasons, 400)}`,
    '**综合分析研判（第十三条）**',
    ...factorLines(policy, det.factors, 120),
    ...(det.notErrorRecord && det.statement
      ? [`📌 **${policy.statements.notAnError.citation}**：${det.statement}本案**不作为执法错误认定**。`]
      : []),
    `**公开范围**：${scope}`,
    `**纠错**：${det.correctionRequired ? '需要启动纠错程序（第十五条），纠错通知另行下达' : '不需要'}`,
  ];
}

/** 办结: the secretary closes a decided case that needs no correction. */
export const CLOSE_ACTION = 'case.close';

/** The 办结 button on the issued card. */
export function closeButton(caseId: string) {
  return button(
    '办结',
    { a: CLOSE_ACTION, case: caseId },
    {
      type: 'primary',
      confirm: {
        title: '办结本案？',
        text: '认定结论不需要纠错，办结后案件归档。告知尚未全部完成时办结，系统将不再自动跟进告知。',
      },
    },
  );
}

/** 2026-03-02 10:00 in Asia/Shanghai. */
const shanghai = (iso: string) =>
  new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');

function closingElements(c: Case, det: Determination): object[] {
  if (c.status === 'closed')
    return [hr(), md(`✅ **本案已办结**${c.closedAt ? `（${shanghai(c.closedAt)}）` : ''}。`)];
  if (c.status !== 'decided' || det.correctionRequired) return [];
  return [
    hr(),
    md(
      '本案不需要纠错。告知全部完成后，请点「办结」结束本案（也可以发送「待办」随时办结）；告知未全部完成时办结，系统将不再自动跟进告知。',
    ),
    buttonRow([closeButton(c.id)]),
  ];
}

export function issuedCard(d: { policy: Policy; c: Case; det: Determination }) {
  return card({
    title: d.c.status === 'closed' ? '认定结论已签发，案件已办结' : '认定结论已签发',
    subtitle: `${d.c.number ?? ''} ${clip(d.c.facts.title, 40)}`.trim(),
    template: d.c.status === 'closed' ? 'grey' : 'green',
    summary: `${d.c.number ?? ''} 认定结论已签发`,
    elements: [
      md(determinationLines(d.policy, d.det).join('\n')),
      hr(),
      md(
        `已向当事人和相关科室发出告知，须在 ${d.policy.notice.days} 日内完成（第十三条）。告知情况将持续跟进。`,
      ),
      ...(d.det.correctionRequired && d.c.correction === null
        ? [
            md('第十五条：作出决定的同时启动纠错程序。请在私信收到的「设定纠错事项」卡片中下达纠错通知。'),
            buttonRow([
              button('设定纠错事项', { a: CORRECTION_ACTIONS.orderForm, case: d.c.id }, { type: 'primary' }),
            ]),
          ]
        : []),
      ...closingElements(d.c, d.det),
    ],
    shared: false,
  });
}
