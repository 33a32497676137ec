import { BASIS_LABEL } from '../src/cases/common';
import { basisFromFindings } from '../src/cases/determination';
import type {
  Case,
  ConditionId,
  Determination,
  LegalBasis,
  PublicationScope,
  VoteOption,
} from '../src/cases/types';
import type { Policy } from '../src/policy';
import type { ActionValue } from './actions';
import { button, buttonRow, callback, card, clip, escapeMd, hr, md, plain } from './common';
import {
  CORRECTION_ACTIONS,
  type OrderFormValues,
  orderDefaults,
  orderFields,
  type PersonChoice,
} from './correction';
import { basisLines, basisNote, voteLabelOf } from './deliberation';
import { conditionField, factorLines, findingsLines, itemLines } from './findings';

export interface IssueValues {
  outcome: VoteOption | null;
  citedItems: string[];
  reasons: string;
  scope: PublicationScope;
  chatId: string | null;
  /** Related units notified besides the case's own unit. */
  units: string[];
  /** Art. 10 para. 2 and art. 12 as the secretary states them; pre-filled from the findings. */
  basis: LegalBasis;
  /** Why the statement differs from the findings. */
  basisReason: string;
  correction: boolean;
  /** Art. 15: the order, issued with the determination. */
  order: OrderFormValues;
  /** Arts. 15–16: why nothing needs correcting, when 不需要纠错 is chosen after an exemption. */
  waiver: string;
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
  /** Who can be made responsible for the correction. */
  people: PersonChoice[];
  values: IssueValues;
  error?: string;
}

export const ARTICLE12_FIELD = 'art12';
export const BASIS_REASON_FIELD = 'basis_reason';
export const WAIVER_FIELD = 'waiver';

const option = (label: string, value: string) => ({ text: plain(label), value });

/**
 * Pre-filled from the vote and the findings: the secretary confirms rather than retypes. The reasons
 * start from the investigator's note only: the assessment engine's caveat is no part of a determination.
 */
export function issueValuesFromCase(
  policy: Policy,
  c: Case,
  carried: VoteOption | null,
  /** The correction deadline offered: the policy's default period from today. */
  orderDeadline: string,
): IssueValues {
  const f = c.findings;
  return {
    outcome: carried,
    citedItems: f ? [...f.items] : [...c.facts.items],
    reasons: f ? f.note.trim() : '',
    scope: 'party',
    chatId: null,
    units: [],
    basis: basisFromFindings(c, policy),
    basisReason: '',
    correction: true,
    order: orderDefaults(policy, c, orderDeadline),
    waiver: '',
  };
}

const yesNo = (name: string, placeholder: string, yes: string, no: string, value: boolean) => ({
  tag: 'select_static',
  name,
  placeholder: plain(placeholder),
  width: 'fill',
  options: [option(yes, 'yes'), option(no, 'no')],
  initial_option: value ? 'yes' : 'no',
});

/** The legal basis fields: the three conditions of art. 10 para. 2 and art. 12, with a reason to differ. */
function basisFields(policy: Policy, values: IssueValues): object[] {
  return [
    md(
      `**认定依据**（按核查意见预填；与核查意见不同的，须说明理由）\n${policy.conditionsLead.citation}：${policy.conditionsLead.text}`,
    ),
    ...policy.conditions.map((cond) =>
      yesNo(
        conditionField(cond.id as ConditionId),
        cond.citation,
        `${cond.citation.replace(/^第十条/, '')} ${cond.wording}：符合`,
        `${cond.citation.replace(/^第十条/, '')} ${cond.wording}：不符合`,
        values.basis.conditions[cond.id as ConditionId],
      ),
    ),
    yesNo(
      ARTICLE12_FIELD,
      '第十二条是否适用',
      '适用第十二条（不予容错）',
      '不适用第十二条',
      values.basis.article12,
    ),
    {
      tag: 'input',
      name: BASIS_REASON_FIELD,
      input_type: 'multiline_text',
      rows: 2,
      max_length: policy.limits.textMaxLength,
      label: plain('与核查意见不同的理由'),
      label_position: 'top',
      placeholder: plain('认定依据与核查意见一致时不填'),
      default_value: values.basisReason,
    },
  ];
}

/** 签发认定结论: the secretary's form, sent in the direct chat once an outcome carried. */
export function issueFormCard(d: IssueFormData) {
  const { policy, c, values } = d;
  const after = policy.correction.requiredAfter.map((b) => BASIS_LABEL[b].label).join('、');
  const carried = d.carried ? voteLabelOf(policy, d.carried) : '无';
  const ownUnit = c.facts.unitId;
  const elements: object[] = [];
  if (d.error)
    elements.push(md(`⚠️ **未能签发**：${escapeMd(d.error)}\n已保留您填写的内容，请修改后重新签发。`));
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
        ...basisFields(policy, values),
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
        md(
          after
            ? `**纠错（第十五条、第十六条）**：作出${after}决定的同时启动纠错程序，纠错通知随认定结论一并下达${policy.correction.waiver === 'reasoned' ? '；确无需要纠错的事项的，须说明理由' : ''}。`
            : '**纠错（第十五条）**：需要纠错的，纠错通知随认定结论一并下达。',
        ),
        yesNo(
          'correction',
          '是否启动纠错（第十五条）',
          '同时下达纠错通知（第十五条）',
          after && policy.correction.waiver === 'reasoned' ? '不需要纠错（免责时须说明理由）' : '不需要纠错',
          values.correction,
        ),
        ...orderFields(policy, d.people, values.order, false),
        {
          tag: 'input',
          name: WAIVER_FIELD,
          input_type: 'multiline_text',
          rows: 2,
          max_length: policy.limits.textMaxLength,
          label: plain('不需要纠错的理由'),
          label_position: 'top',
          placeholder: plain('选择「不需要纠错」时填写，将记入案件'),
          default_value: values.waiver,
        },
        {
          tag: 'button',
          name: 'issue_submit',
          text: plain('签发认定结论'),
          type: 'primary',
          form_action_type: 'submit',
          // No pop-up here: the form is checked first, then the answer asks to confirm (issueReviewCard).
          behaviors: callback({ a: 'det.issue', case: c.id, round: d.round }),
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
  });
}

/**
 * The checked determination before it is issued: what will be recorded, with 确认签发 (the form as filled
 * in travels in the button) and 返回修改 (the form again, as filled in).
 */
export function issueReviewCard(d: {
  policy: Policy;
  c: Case;
  round: number;
  det: Determination;
  form: Record<string, unknown>;
}) {
  const value = (step: 'confirm' | 'edit'): ActionValue<'det.issue'> => ({
    a: 'det.issue',
    case: d.c.id,
    round: d.round,
    step,
    form: d.form,
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
        `请核对以上内容。签发后将在 ${d.policy.notice.days} 日内告知当事人和相关科室（第十三条）；下达纠错通知的，同时私信整改责任人。签发后不能撤回。`,
      ),
      buttonRow([
        button('确认签发', value('confirm'), { type: 'primary' }),
        button('返回修改', value('edit')),
      ]),
    ],
  });
}

/** The determination as recorded, for the secretary's confirmation. */
export function determinationLines(policy: Policy, det: Determination): string[] {
  const scope =
    policy.publicationScopes.find((s) => s.id === det.publication.scope)?.label ?? det.publication.scope;
  return [
    `**认定结论**：${voteLabelOf(policy, det.outcome)}${basisNote(det.basis)}`,
    '**依据**',
    ...itemLines(policy, det.citedItems),
    ...(det.legalBasis ? basisLines(policy, det.legalBasis, det.legalBasis.departureReason) : []),
    `**认定理由**：${escapeMd(clip(det.reasons, 400))}`,
    '**综合分析研判（第十三条）**',
    ...factorLines(policy, det.factors, 120),
    ...(det.notErrorRecord && det.statement
      ? [`📌 **${policy.statements.notAnError.citation}**：${det.statement}本案**不作为执法错误认定**。`]
      : []),
    `**公开范围**：${scope}`,
    `**纠错**：${det.correctionRequired ? '启动纠错程序（第十五条）' : det.correctionWaiver ? `不需要纠错。理由：${escapeMd(clip(det.correctionWaiver, 300))}` : '不需要'}`,
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
  });
}
