// Art. 15–16 correction: the order form, the order as the responsible person sees it, their reports,
// the secretary's decisions, and reminders. Pure functions of data.
import type { CorrectionExtension, CorrectionItem, CorrectionOrder } from '../src/cases/types';
import type { Policy } from '../src/policy';
import type { ActionValue } from './actions';
import { button, buttonRow, callback, card, clip, escapeMd, hr, md, plain, type Template } from './common';

export const CORRECTION_ACTIONS = {
  /** Secretary: (re)open the 设定纠错事项 form. */
  orderForm: 'corr.form',
  /** Secretary: submit the order. */
  order: 'corr.set',
  /** Anyone concerned: show where the correction stands, with the buttons the viewer may use. */
  open: 'corr.open',
  ack: 'corr.ack',
  progressForm: 'corr.progress.form',
  progress: 'corr.progress',
  completeForm: 'corr.complete.form',
  complete: 'corr.complete',
  extendForm: 'corr.extend.form',
  extend: 'corr.extend',
  /** Secretary: approve (`v: 'approve'`) or refuse (`v: 'refuse'`) an extension. */
  decideExtension: 'corr.ext',
  /** Secretary: accept (`v: 'accept'`) or send back (`v: 'return'`) a completion. */
  review: 'corr.review',
} as const;

/** Shown at most on a card; the rest is counted, so a card stays under 30 KB. */
export const ITEMS_SHOWN_MAX = 20;
/** Each line of the requirement and suggestion fields is one 纠错事项. */
export const ITEM_FIELD_MAX_LENGTH = 1000;

const DUTY_CITATION = '第十六条';

const shown = (s: string, n: number) => escapeMd(clip(s, n));

const option = (label: string, value: string) => ({ text: plain(label), value });

function label(text: string) {
  return md(`**${text}**`);
}

function textArea(
  name: string,
  value: string,
  o: { rows?: number; max: number; placeholder?: string; required?: boolean },
) {
  return {
    tag: 'input',
    name,
    input_type: 'multiline_text',
    rows: o.rows ?? 3,
    width: 'fill',
    max_length: o.max,
    ...(o.required ? { required: true } : {}),
    ...(o.placeholder ? { placeholder: plain(o.placeholder) } : {}),
    ...(value ? { default_value: value } : {}),
  };
}

function submit(
  text: string,
  name: string,
  value: ActionValue,
  o: { type?: 'primary' | 'danger' | 'default'; confirm?: { title: string; text: string } } = {},
) {
  return {
    tag: 'button',
    name,
    text: plain(text),
    type: o.type ?? 'primary',
    form_action_type: 'submit',
    ...(o.confirm ? { confirm: { title: plain(o.confirm.title), text: plain(o.confirm.text) } } : {}),
    behaviors: callback(value),
  };
}

function errorBanner(error: string | undefined, what: string): object[] {
  return error ? [md(`⚠️ **未能${what}**：${escapeMd(error)}\n已保留您填写的内容，请修改后重新提交。`)] : [];
}

function caseLine(number: string | null, title: string): string {
  return `**案件**：${number ?? ''} ${shown(title, 60)}`;
}

function subtitle(number: string | null, title: string): string {
  return `${number ?? ''} ${clip(title, 40)}`.trim();
}

export const itemKindLabel = (k: CorrectionItem['kind']) => (k === 'requirement' ? '纠错要求' : '纠错建议');

/** Characters of typed text an order shows: the whole order, or a brief one beside a report to review. */
const ORDER_BUDGET = {
  full: { reason: 600, items: 3000, improve: 400 },
  brief: { reason: 200, items: 1200, improve: 150 },
} as const;

/** The order's substance, in the regulation's words (art. 16); typed text is clipped so a card stays small. */
export function orderLines(
  policy: Policy,
  o: Pick<CorrectionOrder, 'reason' | 'items' | 'deadline' | 'improveRules'>,
  who: { responsibleName: string; unitName: string | null },
  size: keyof typeof ORDER_BUDGET = 'full',
): string[] {
  const budget = ORDER_BUDGET[size];
  const items = o.items.slice(0, ITEMS_SHOWN_MAX);
  const perItem = Math.max(40, Math.min(300, Math.floor(budget.items / Math.max(1, items.length))));
  return [
    `**纠错事由**：${shown(o.reason, budget.reason)}`,
    '**纠错事项**：',
    ...items.map((it, i) => `${i + 1}. 【${itemKindLabel(it.kind)}】${shown(it.text, perItem)}`),
    ...(o.items.length > items.length ? [`（另有 ${o.items.length - items.length} 项未列出）`] : []),
    `**整改责任人**：${shown(who.responsibleName, 40)}${who.unitName ? `（${escapeMd(who.unitName)}）` : ''}`,
    `**整改期限**：${o.deadline}`,
    `**分析原因、完善制度、健全机制**（${policy.statements.correctionDuty.citation}）：${shown(o.improveRules, budget.improve)}`,
  ];
}

// ───────────────────────────── the order form (secretary) ─────────────────────────────

export interface PersonChoice {
  openId: string;
  name: string;
}

export interface OrderFormValues {
  reason: string;
  /** One 纠错要求 per line. */
  requirements: string;
  /** One 纠错建议 per line. */
  suggestions: string;
  responsible: string;
  unitId: string | null;
  deadline: string;
  improveRules: string;
}

export interface OrderFormData {
  policy: Policy;
  caseId: string;
  number: string | null;
  title: string;
  /** Who can be made responsible: the subject first, then the roster. */
  people: PersonChoice[];
  values: OrderFormValues;
  error?: string;
}

export const NO_UNIT = 'none';

/** A new order: the subject responsible in their own unit, by the policy's default deadline. */
export function orderDefaults(
  policy: Policy,
  c: { subjectOpenId: string; facts: { unitId: string | null } },
  deadline: string,
): OrderFormValues {
  return {
    reason: '',
    requirements: '',
    suggestions: '',
    responsible: c.subjectOpenId,
    unitId: c.facts.unitId,
    deadline,
    improveRules: policy.statements.correctionDuty.text,
  };
}

/** The order's fields, shared by 设定纠错事项 and the issue form (art. 15: the order goes with the decision). */
export function orderFields(
  policy: Policy,
  people: PersonChoice[],
  values: OrderFormValues,
  /** false in the issue form, where 不需要纠错 leaves them empty. */
  required = true,
): object[] {
  return [
    label('纠错事由'),
    textArea('reason', values.reason, {
      max: policy.limits.textMaxLength,
      required,
      placeholder: '为什么需要纠错，例如：暂扣设备前未履行审批程序',
    }),
    label('纠错要求（每行一项，须限期完成）'),
    textArea('requirements', values.requirements, {
      rows: 4,
      max: ITEM_FIELD_MAX_LENGTH,
      placeholder: '例如：补办暂扣审批手续并归档',
    }),
    label('纠错建议（每行一项，可选）'),
    textArea('suggestions', values.suggestions, {
      rows: 3,
      max: ITEM_FIELD_MAX_LENGTH,
      placeholder: '例如：组织科室学习临机处置程序',
    }),
    label('整改责任人'),
    {
      tag: 'select_static',
      name: 'responsible',
      width: 'fill',
      placeholder: plain('请选择整改责任人'),
      options: people.map((p) => option(p.name, p.openId)),
      ...(values.responsible ? { initial_option: values.responsible } : {}),
    },
    label('责任科室'),
    {
      tag: 'select_static',
      name: 'unit',
      width: 'fill',
      placeholder: plain('请选择责任科室'),
      options: [
        option('不指定科室（由责任人个人整改）', NO_UNIT),
        ...policy.units.map((u) => option(u.name, u.id)),
      ],
      initial_option: values.unitId ?? NO_UNIT,
    },
    label('整改期限'),
    {
      tag: 'date_picker',
      name: 'deadline',
      width: 'fill',
      placeholder: plain('请选择整改期限'),
      ...(values.deadline ? { initial_date: values.deadline } : {}),
    },
    label(`分析原因、完善制度、健全机制（${DUTY_CITATION}）`),
    textArea('improve', values.improveRules, { max: policy.limits.textMaxLength, required }),
  ];
}

/** 设定纠错事项: sent to the secretary right after issuing a determination that requires correction (art. 15). */
export function orderFormCard(d: OrderFormData) {
  const { policy, values } = d;
  const value = { a: CORRECTION_ACTIONS.order, case: d.caseId };
  const elements: object[] = [
    ...errorBanner(d.error, '下达纠错通知'),
    md(
      [
        caseLine(d.number, d.title),
        '第十五条：作出容错免责决定的同时，应当及时启动纠错程序。',
        '第十六条：说明纠错事由，明确纠错事项，提出纠错要求或者建议，责成限期纠正问题、改进工作。',
      ].join('\n'),
    ),
    hr(),
    {
      tag: 'form',
      name: 'correction_order',
      elements: [
        ...orderFields(policy, d.people, values),
        submit('下达纠错通知', 'order_submit', value, {
          confirm: { title: '下达纠错通知？', text: '纠错通知将私信发给整改责任人，并要求确认收到。' },
        }),
      ],
    },
  ];
  return card({
    title: '设定纠错事项',
    subtitle: subtitle(d.number, d.title),
    template: 'orange',
    summary: `${d.number ?? ''} 设定纠错事项`,
    elements,
  });
}

// ───────────────────────────── the order (responsible person) ─────────────────────────────

export interface OrderView {
  policy: Policy;
  caseId: string;
  number: string | null;
  title: string;
  order: CorrectionOrder;
  responsibleName: string;
  unitName: string | null;
  /** Shanghai wall time when the responsible person confirmed receipt, or null. */
  acknowledgedAt: string | null;
  /** Whether 申请延期 is offered: the core's `extensionCheck` allows it. */
  canExtend: boolean;
}

/** 报告进展 / 报告完成 / 申请延期 (the last only when the core's `extensionCheck` allows it). */
export function responsibleButtons(caseId: string, canExtend: boolean): object {
  const v = (
    a:
      | typeof CORRECTION_ACTIONS.progressForm
      | typeof CORRECTION_ACTIONS.completeForm
      | typeof CORRECTION_ACTIONS.extendForm,
  ): ActionValue => ({ a, case: caseId });
  return buttonRow([
    button('报告进展', v(CORRECTION_ACTIONS.progressForm)),
    button('报告完成', v(CORRECTION_ACTIONS.completeForm), { type: 'primary' }),
    ...(canExtend ? [button('申请延期', v(CORRECTION_ACTIONS.extendForm))] : []),
  ]);
}

function stateLines(o: CorrectionOrder): string[] {
  const out: string[] = [];
  const pending = o.extensions.find((x) => x.status === 'pending');
  if (pending) out.push(`⏳ 已申请延期至 ${pending.newDeadline}，等待党组书记审批。`);
  const lastExt = [...o.extensions].reverse().find((x) => x.status !== 'pending');
  if (lastExt?.status === 'approved') out.push(`✅ 延期申请已批准，整改期限为 ${o.deadline}。`);
  if (lastExt?.status === 'refused' && !pending)
    out.push(`❌ 延期申请未获批准：${shown(lastExt.refusalReason ?? '', 300)}`);
  if (o.progress.length > 0) out.push(`已报告整改进展 ${o.progress.length} 次。`);
  const lastReturn = o.returns.at(-1);
  if (o.status === 'open' && lastReturn) out.push(`↩️ 整改完成报告被退回：${shown(lastReturn.reason, 300)}`);
  if (o.status === 'completed') out.push('📨 已报告整改完成，等待党组书记验收。');
  if (o.status === 'accepted') out.push('✅ 整改已验收通过，案件已办结。');
  return out;
}

export function correctionOrderCard(v: OrderView, today: string) {
  const { order: o } = v;
  const elements: object[] = [
    md(
      [
        caseLine(v.number, v.title),
        ...orderLines(v.policy, o, v),
        // The order usually quotes the statement itself; the reminder is only for an order that says otherwise.
        ...(o.improveRules.trim() === v.policy.statements.correctionDuty.text
          ? []
          : [
              `📌 ${v.policy.statements.correctionDuty.text}（${v.policy.statements.correctionDuty.citation}）`,
            ]),
      ].join('\n'),
    ),
  ];
  const state = stateLines(o);
  if (state.length) elements.push(hr(), md(state.join('\n')));
  elements.push(hr());
  if (o.status === 'open') {
    elements.push(
      md(
        v.acknowledgedAt
          ? `已于 ${v.acknowledgedAt} 确认收到。请在期限内完成整改并报告；因特殊情况难以按期完成的，可以在期限届满前申请延期（第十六条）。`
          : '请点击「确认收到」，并在期限内完成整改、报告完成情况。',
      ),
    );
    if (!v.acknowledgedAt)
      elements.push(
        buttonRow([
          button('确认收到', { a: CORRECTION_ACTIONS.ack, case: v.caseId }, { type: 'primary_filled' }),
        ]),
      );
    elements.push(responsibleButtons(v.caseId, v.canExtend));
  } else if (!v.acknowledgedAt) {
    elements.push(md('本纠错通知已处理完毕。'));
  } else {
    elements.push(md(`已于 ${v.acknowledgedAt} 确认收到。`));
  }
  const template: Template = o.status === 'accepted' ? 'green' : today > o.deadline ? 'red' : 'orange';
  return card({
    title: '纠错通知',
    subtitle: subtitle(v.number, v.title),
    template,
    tags: [{ text: `期限 ${o.deadline}`, color: template === 'red' ? 'red' : 'orange' }],
    summary: `${v.number ?? ''} 纠错通知：整改期限 ${o.deadline}`,
    elements,
  });
}

/** The secretary's confirmation that the order went out. */
export function orderSetCard(v: OrderView) {
  return card({
    title: '纠错通知已下达',
    subtitle: subtitle(v.number, v.title),
    template: 'green',
    summary: `${v.number ?? ''} 纠错通知已下达`,
    elements: [
      md([caseLine(v.number, v.title), ...orderLines(v.policy, v.order, v)].join('\n')),
      hr(),
      md(
        `已私信通知整改责任人并要求确认收到。期限前 ${v.policy.correction.reminderOffsetsDays.join('、')} 个工作日的 ${v.policy.correction.reminderHour}:00 会提醒责任人；逾期后每个工作日提醒，并向党组群报告。`,
      ),
    ],
  });
}

// ───────────────────────────── the responsible person's forms ─────────────────────────────

interface FormHead {
  caseId: string;
  number: string | null;
  title: string;
  deadline: string;
  error?: string;
}

export function progressFormCard(d: FormHead & { policy: Policy; text?: string }) {
  return card({
    title: '报告整改进展',
    subtitle: subtitle(d.number, d.title),
    template: 'blue',
    summary: `${d.number ?? ''} 报告整改进展`,
    elements: [
      ...errorBanner(d.error, '报告进展'),
      md(`${caseLine(d.number, d.title)}\n**整改期限**：${d.deadline}`),
      {
        tag: 'form',
        name: 'correction_progress',
        elements: [
          label('目前的整改进展'),
          textArea('text', d.text ?? '', {
            rows: 4,
            max: d.policy.limits.textMaxLength,
            required: true,
            placeholder: '已经做了什么、还要做什么、预计何时完成',
          }),
          submit('提交进展', 'progress_submit', { a: CORRECTION_ACTIONS.progress, case: d.caseId }),
        ],
      },
    ],
  });
}

export function completionFormCard(d: FormHead & { policy: Policy; evidence: string[]; text?: string }) {
  const listed = d.evidence.slice(0, 30);
  const evidenceLine = d.evidence.length
    ? `**已收到的证明材料**（${d.evidence.length} 份）：${listed.map((n) => shown(n, 60)).join('、')}${d.evidence.length > listed.length ? ' 等' : ''}`
    : '**证明材料**：尚未收到。';
  return card({
    title: '报告整改完成',
    subtitle: subtitle(d.number, d.title),
    template: 'green',
    summary: `${d.number ?? ''} 报告整改完成`,
    elements: [
      ...errorBanner(d.error, '报告整改完成'),
      md(
        [
          caseLine(d.number, d.title),
          `**整改期限**：${d.deadline}`,
          evidenceLine,
          '📎 请直接在本对话中发送整改完成的证明材料（文件或图片），会自动附在你最后打开的完成报告（即本报告）中；然后填写完成情况并提交。',
        ].join('\n'),
      ),
      {
        tag: 'form',
        name: 'correction_completion',
        elements: [
          label('整改完成情况'),
          textArea('text', d.text ?? '', {
            rows: 5,
            max: d.policy.limits.textMaxLength,
            required: true,
            placeholder: '逐项说明纠错事项的完成情况，以及完善制度、健全机制的措施',
          }),
          submit(
            '提交完成报告',
            'completion_submit',
            { a: CORRECTION_ACTIONS.complete, case: d.caseId },
            {
              confirm: { title: '提交整改完成报告？', text: '提交后由党组书记验收，验收通过后案件办结。' },
            },
          ),
        ],
      },
    ],
  });
}

export function evidenceAddedCard(d: {
  caseId: string;
  number: string | null;
  title?: string;
  name: string;
  count: number;
  /** Completion reports for other cases this person is also preparing. */
  otherDrafts?: number;
}) {
  const which = `${d.number ?? ''}${d.title ? `「${shown(d.title, 40)}」` : ''}`;
  const lines = [
    `已将「${shown(d.name, 80)}」附在 ${which} 的整改完成报告中，共 ${d.count} 份。`,
    '发送的文件和图片附在你**最后打开的「报告整改完成」卡片**所属的案件中。',
  ];
  if (d.otherDrafts)
    lines.push(
      `你还有 ${d.otherDrafts} 个案件的完成报告正在准备：如要附到其他案件，请先在那个案件的卡片上点「报告整改完成」，再发送文件。`,
    );
  lines.push('材料发送完毕后，请在「报告整改完成」卡片中填写完成情况并提交。');
  return card({
    title: '已收到证明材料',
    template: 'green',
    summary: `已收到证明材料「${clip(d.name, 30)}」`,
    elements: [
      md(lines.join('\n')),
      buttonRow([
        button(
          '重新打开完成报告',
          { a: CORRECTION_ACTIONS.completeForm, case: d.caseId },
          { type: 'primary' },
        ),
      ]),
    ],
  });
}

export function extensionFormCard(
  d: FormHead & { policy: Policy; reason?: string; newDeadline?: string | null },
) {
  return card({
    title: '申请延长整改期限',
    subtitle: subtitle(d.number, d.title),
    template: 'yellow',
    summary: `${d.number ?? ''} 申请延期`,
    elements: [
      ...errorBanner(d.error, '申请延期'),
      md(
        `${caseLine(d.number, d.title)}\n**现在的整改期限**：${d.deadline}\n第十六条：因特殊情况难以在规定时间内完成的，可以申请适当延长整改期限。`,
      ),
      {
        tag: 'form',
        name: 'correction_extension',
        elements: [
          label('延期理由'),
          textArea('reason', d.reason ?? '', {
            max: d.policy.limits.textMaxLength,
            required: true,
            placeholder: '说明难以按期完成的特殊情况',
          }),
          label('申请延长至'),
          {
            tag: 'date_picker',
            name: 'new_deadline',
            width: 'fill',
            placeholder: plain('请选择新的整改期限'),
            ...(d.newDeadline ? { initial_date: d.newDeadline } : {}),
          },
          submit('提交延期申请', 'extension_submit', { a: CORRECTION_ACTIONS.extend, case: d.caseId }),
        ],
      },
    ],
  });
}

/** The form was handled: what was submitted, in place of the form. */
export function submittedCard(d: {
  title: string;
  number: string | null;
  caseTitle: string;
  lines: string[];
}) {
  return card({
    title: d.title,
    subtitle: subtitle(d.number, d.caseTitle),
    template: 'green',
    summary: d.title,
    elements: [md([caseLine(d.number, d.caseTitle), ...d.lines].join('\n'))],
  });
}

// ───────────────────────────── the secretary's decisions ─────────────────────────────

export interface ExtensionRequestData {
  caseId: string;
  number: string | null;
  title: string;
  responsibleName: string;
  deadline: string;
  ext: CorrectionExtension;
  /** Shanghai wall time of the request. */
  requestedAt: string;
  /** Once decided: who and when. */
  decidedBy?: string;
  decidedAt?: string;
  error?: string;
}

export function extensionRequestCard(d: ExtensionRequestData) {
  const { ext } = d;
  const lines = [
    caseLine(d.number, d.title),
    `**申请人**：${escapeMd(d.responsibleName)}（整改责任人），${d.requestedAt} 申请`,
    `**现在的整改期限**：${d.deadline}`,
    `**申请延长至**：${ext.newDeadline}`,
    `**延期理由**：${shown(ext.reason, 1000)}`,
  ];
  const elements: object[] = [...errorBanner(d.error, '审批'), md(lines.join('\n')), hr()];
  let template: Template = 'yellow';
  if (ext.status === 'pending') {
    const v = (choice: 'approve' | 'refuse'): ActionValue<'corr.ext'> => ({
      a: CORRECTION_ACTIONS.decideExtension,
      case: d.caseId,
      ext: ext.id,
      v: choice,
    });
    elements.push({
      tag: 'form',
      name: 'extension_decision',
      elements: [
        label('不批准时请说明理由'),
        textArea('reason', '', { max: 500, placeholder: '例如：整改事项简单，原期限足够完成' }),
        buttonRow([
          submit('批准', 'extension_approve', v('approve'), {
            confirm: { title: '批准延期？', text: `整改期限将改为 ${ext.newDeadline}。` },
          }),
          submit('不批准', 'extension_refuse', v('refuse'), { type: 'danger' }),
        ]),
      ],
    });
  } else {
    const approved = ext.status === 'approved';
    template = approved ? 'green' : 'grey';
    elements.push(
      md(
        approved
          ? `✅ ${escapeMd(d.decidedBy ?? '')} 已于 ${d.decidedAt ?? ''} 批准，整改期限改为 ${ext.newDeadline}。`
          : `❌ ${escapeMd(d.decidedBy ?? '')} 已于 ${d.decidedAt ?? ''} 不予批准：${shown(ext.refusalReason ?? '', 500)}`,
      ),
    );
  }
  return card({
    title: '整改延期申请',
    subtitle: subtitle(d.number, d.title),
    template,
    summary: `${d.number ?? ''} 延期申请：${ext.status === 'pending' ? '待审批' : ext.status === 'approved' ? '已批准' : '未批准'}`,
    elements,
  });
}

export interface CompletionReviewData {
  caseId: string;
  number: string | null;
  title: string;
  responsibleName: string;
  order: CorrectionOrder;
  policy: Policy;
  unitName: string | null;
  /** Shanghai wall time of the completion report. */
  reportedAt: string;
  /** The completion as it was reviewed (the order no longer holds it once returned). */
  completion: { text: string; evidence: string[] };
  decided?: { accepted: boolean; by: string; at: string; reason?: string };
  error?: string;
}

export function completionReviewCard(d: CompletionReviewData) {
  const listed = d.completion.evidence.slice(0, 20);
  const lines = [
    caseLine(d.number, d.title),
    ...orderLines(d.policy, d.order, d, 'brief'),
    '',
    `**完成情况**（${shown(d.responsibleName, 40)}，${d.reportedAt} 报告）：${shown(d.completion.text, 1200)}`,
    `**证明材料**（${d.completion.evidence.length} 份）：${listed.map((n) => shown(n, 40)).join('、')}${d.completion.evidence.length > listed.length ? ' 等' : ''}`,
    ...(d.order.returns.length
      ? [
          `**此前退回 ${d.order.returns.length} 次**，最近一次：${shown(d.order.returns.at(-1)?.reason ?? '', 300)}`,
        ]
      : []),
  ];
  const elements: object[] = [...errorBanner(d.error, '验收'), md(lines.join('\n')), hr()];
  let template: Template = 'turquoise';
  if (!d.decided) {
    const v = (choice: 'accept' | 'return'): ActionValue<'corr.review'> => ({
      a: CORRECTION_ACTIONS.review,
      case: d.caseId,
      v: choice,
    });
    elements.push({
      tag: 'form',
      name: 'completion_review',
      elements: [
        label('退回整改时请说明理由'),
        textArea('reason', '', { max: 500, placeholder: '例如：缺少补办审批手续的材料' }),
        buttonRow([
          submit('验收通过', 'review_accept', v('accept'), {
            confirm: { title: '验收通过？', text: '验收通过后案件办结。' },
          }),
          submit('退回整改', 'review_return', v('return'), { type: 'danger' }),
        ]),
      ],
    });
  } else {
    template = d.decided.accepted ? 'green' : 'orange';
    elements.push(
      md(
        d.decided.accepted
          ? `✅ ${escapeMd(d.decided.by)} 已于 ${d.decided.at} 验收通过，案件已办结。`
          : `↩️ ${escapeMd(d.decided.by)} 已于 ${d.decided.at} 退回整改：${shown(d.decided.reason ?? '', 500)}`,
      ),
    );
  }
  return card({
    title: '整改完成，待验收',
    subtitle: subtitle(d.number, d.title),
    template,
    summary: `${d.number ?? ''} 整改完成报告`,
    elements,
  });
}

/** A progress report, for the secretary. */
export function progressReportedCard(d: {
  caseId: string;
  number: string | null;
  title: string;
  responsibleName: string;
  text: string;
  at: string;
  deadline: string;
}) {
  return card({
    title: '整改进展报告',
    subtitle: subtitle(d.number, d.title),
    template: 'blue',
    summary: `${d.number ?? ''} 整改进展`,
    elements: [
      md(
        [
          caseLine(d.number, d.title),
          `**整改责任人**：${escapeMd(d.responsibleName)}，${d.at} 报告`,
          `**整改期限**：${d.deadline}`,
          `**进展**：${shown(d.text, 1500)}`,
        ].join('\n'),
      ),
      hr(),
      buttonRow([button('查看整改情况', { a: CORRECTION_ACTIONS.open, case: d.caseId })]),
    ],
  });
}

// ───────────────────────────── to the responsible person ─────────────────────────────

export function extensionDecidedCard(d: {
  caseId: string;
  number: string | null;
  title: string;
  approved: boolean;
  deadline: string;
  reason: string;
  canExtend: boolean;
}) {
  return card({
    title: d.approved ? '延期申请已批准' : '延期申请未获批准',
    subtitle: subtitle(d.number, d.title),
    template: d.approved ? 'green' : 'orange',
    summary: `${d.number ?? ''} 延期申请${d.approved ? '已批准' : '未获批准'}`,
    elements: [
      md(
        [
          caseLine(d.number, d.title),
          d.approved
            ? `**新的整改期限**：${d.deadline}`
            : `**不批准的理由**：${shown(d.reason, 500)}\n**整改期限仍为**：${d.deadline}`,
          d.approved
            ? '请在新的期限内完成整改并报告。'
            : '请按原期限完成整改；如有新的特殊情况，可以再次申请。',
        ].join('\n'),
      ),
      hr(),
      responsibleButtons(d.caseId, d.canExtend),
    ],
  });
}

export function completionReturnedCard(d: {
  caseId: string;
  number: string | null;
  title: string;
  reason: string;
  deadline: string;
  canExtend: boolean;
}) {
  return card({
    title: '整改完成报告被退回',
    subtitle: subtitle(d.number, d.title),
    template: 'orange',
    summary: `${d.number ?? ''} 整改完成报告被退回`,
    elements: [
      md(
        [
          caseLine(d.number, d.title),
          `**退回理由**：${shown(d.reason, 1000)}`,
          `**整改期限**：${d.deadline}`,
          '请按退回理由继续整改，完成后重新报告，并附上证明材料。',
        ].join('\n'),
      ),
      hr(),
      responsibleButtons(d.caseId, d.canExtend),
    ],
  });
}

export function completionAcceptedCard(d: { number: string | null; title: string }) {
  return card({
    title: '整改已验收通过',
    subtitle: subtitle(d.number, d.title),
    template: 'green',
    summary: `${d.number ?? ''} 整改已验收通过`,
    elements: [
      md(
        [
          caseLine(d.number, d.title),
          '党组书记已验收通过你的整改，案件已办结。',
          '请继续认真分析原因、汲取教训，完善制度、健全机制，防止类似错误再次发生（第十六条）。',
        ].join('\n'),
      ),
    ],
  });
}

/** Before the deadline (3, 1, 0 working days), and daily once it has passed. */
export function correctionReminderCard(d: {
  caseId: string;
  number: string | null;
  title: string;
  reason: string;
  deadline: string;
  daysLeft?: number;
  daysOverdue?: number;
  canExtend: boolean;
}) {
  const overdue = d.daysOverdue !== undefined && d.daysOverdue > 0;
  const when = overdue
    ? `已超过整改期限 ${d.daysOverdue} 天`
    : d.daysLeft === 0
      ? '今天是整改期限'
      : `距整改期限还有 ${d.daysLeft ?? ''} 天`;
  return card({
    title: overdue ? '整改已逾期' : '整改期限提醒',
    subtitle: subtitle(d.number, d.title),
    template: overdue ? 'red' : 'yellow',
    tags: [{ text: when, color: overdue ? 'red' : 'orange' }],
    summary: `${d.number ?? ''} ${when}`,
    elements: [
      md(
        [
          caseLine(d.number, d.title),
          `**纠错事由**：${shown(d.reason, 300)}`,
          `**整改期限**：${d.deadline}（${when}）`,
          overdue
            ? '请尽快完成整改并报告；逾期情况已报告党组。'
            : '请按期完成整改并报告；因特殊情况难以按期完成的，请在期限届满前申请延期（第十六条）。',
        ].join('\n'),
      ),
      hr(),
      responsibleButtons(d.caseId, d.canExtend),
    ],
  });
}

/** To the party group (and the responsible unit's chat) once the deadline has passed. */
export function overdueEscalationCard(d: {
  number: string | null;
  title: string;
  deadline: string;
  daysOverdue: number;
  responsibleName: string;
  unitName: string | null;
}) {
  return card({
    title: '纠错整改逾期',
    subtitle: subtitle(d.number, d.title),
    template: 'red',
    summary: `${d.number ?? ''} 纠错整改逾期 ${d.daysOverdue} 天`,
    elements: [
      md(
        [
          caseLine(d.number, d.title),
          `**整改责任人**：${escapeMd(d.responsibleName)}${d.unitName ? `（${escapeMd(d.unitName)}）` : ''}`,
          `**整改期限**：${d.deadline}，已逾期 ${d.daysOverdue} 天`,
          '第十七条：应当跟踪了解纠错对象的整改情况。请督促责任人尽快完成整改并报告。',
        ].join('\n'),
      ),
    ],
  });
}
