// 兴安盟国防动员办公室's regulation as data. Wording is quoted from seed/regulation.zh.md; hints are plain language.
// Values marked (default) are readings where the regulation is silent; an office changes them as data.

import type { Article, Policy, PolicyCondition, PolicyItem } from './types';

const ORDINALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'] as const;
const ARTICLE_NUMERALS: Record<Article, string> = { 9: '九', 10: '十', 11: '十一', 12: '十二' };

function ordinal(index: number): string {
  const o = ORDINALS[index - 1];
  if (!o) throw new Error(`no ordinal for ${index}`);
  return o;
}

function items(
  article: Article,
  entries: readonly (readonly [wording: string, hint: string])[],
): PolicyItem[] {
  return entries.map(([wording, hint], i) => ({
    id: `${article}.${i + 1}`,
    article,
    index: i + 1,
    wording,
    hint,
    citation: `第${ARTICLE_NUMERALS[article]}条第（${ordinal(i + 1)}）项`,
  }));
}

function condition(index: 1 | 2 | 3, wording: string, hint: string): PolicyCondition {
  return { id: `10.c${index}`, wording, hint, citation: `第十条第二款第（${ordinal(index)}）项` };
}

export const defaultPolicy: Policy = {
  orgName: '兴安盟国防动员办公室',
  regulationTitle: '兴安盟国防动员办公室 行政执法尽职免责和容错纠错制度',
  caseNumberFormat: '容错〔{year}〕{seq}号',
  reportNumberFormat: '举报〔{year}〕{seq}号',
  // (default) the office's 发文字号 for 容错纠错 documents.
  documents: { issuer: '兴安盟国防动员办公室', numberFormat: '兴国动容〔{year}〕{seq}号' },
  articles: [
    {
      article: 9,
      citation: '第九条',
      lead: '行政执法人员履行职责过程中，符合下列情形的，应当认定为履职尽责',
      outcomeLabel: '尽职免责',
    },
    {
      article: 10,
      citation: '第十条',
      lead: '执法人员在履行职责过程中，符合下列情形之一的，应当从轻、减轻处理或者予以免责',
      outcomeLabel: '容错免责（同时符合三项条件）或从轻、减轻',
    },
    {
      article: 11,
      citation: '第十一条',
      lead: '执法人员在履行职责过程中，符合下列情形之一的，可以从轻或者减轻责任',
      outcomeLabel: '从轻或减轻',
    },
    {
      article: 12,
      citation: '第十二条',
      lead: '执法人员履行职责过程中，滥用法定职权、不履行法定职责，致使公民、法人和其他组织的合法权益受到损害，造成不良后果的，不予容错',
      outcomeLabel: '不予容错',
    },
  ],
  items: [
    ...items(9, [
      [
        '已经按照法定职责、法定程序、岗位职责，履行行政执法职责的',
        '已按法定职责、法定程序和岗位要求履职，问题并非因未尽责造成。',
      ],
      [
        '因行政相对人隐瞒、伪造、毁灭证据或者提供虚假材料，致使作出错误执法决定，或者逃避案件调查致使行政执法行为不能及时作出的',
        '当事人隐瞒、伪造、毁灭证据或提供假材料导致决定出错，或躲避调查导致无法及时处理。',
      ],
      [
        '因当事人擅自隐匿、转移、变卖、损毁被查封、扣押的物品导致危害后果发生的',
        '当事人私自隐匿、转移、变卖、损毁被查封扣押的物品，造成了危害后果。',
      ],
      [
        '因不能预见、不能避免或不能克服等不可抗力因素，导致执法部门及其执法人员未能依法履行职责的',
        '遇到无法预见、无法避免、无法克服的不可抗力，导致未能依法履职。',
      ],
      [
        '因其他有关部门错误或者不当行政行为，导致作出错误判定或者处理的',
        '其他部门的错误或不当行为，导致作出了错误判定或处理。',
      ],
      [
        '因标准缺失或者现有科学技术水平的限制不能发现问题，导致违法违规问题无法定性的',
        '标准缺失或现有技术手段所限发现不了问题，违法违规问题无法定性。',
      ],
      [
        '违法行为被依法查处和责令改正，在整改期间不执行整改要求导致发生事故的',
        '违法行为已被查处并责令改正，当事人整改期间不按要求整改而发生事故。',
      ],
      [
        '违法行为已被依法调查和责令改正，在按法律程序办理或者移送过程中发生事故的',
        '违法行为已被调查并责令改正，在依法办理或移送过程中发生事故。',
      ],
      [
        '其他履职尽责依法不应当追究责任的情形',
        '不属于以上各项，但确属履职尽责、依法不应追究责任的其他情形（请具体说明）。',
      ],
    ]),
    ...items(10, [
      [
        '贯彻执行上级指示决策部署中，为推动发展、攻坚克难，主动解决问题而大胆探索、先行先试出现失误或错误的',
        '落实上级部署时，为推动工作主动探索、先行先试而出现失误。',
      ],
      [
        '全面深化改革、推进体制机制创新中，先行先试、突破常规，出现探索性失误或者未达到预期效果的',
        '在改革和机制创新中先行先试、突破常规，出现探索性失误或未达到预期效果。',
      ],
      [
        '创造性开展工作中，因国家政策调整、法律法规调整、上级决策部署发生变化，或政策界限不明确，受客观条件限制，出现失误或者偏差的',
        '因政策、法规或上级部署调整，或政策界限不清、客观条件受限，工作中出现失误或偏差。',
      ],
      [
        '执法过程中，为防止执法风险，临机决断、因不可抗力或不可预见原因，出现失误或者偏差的',
        '执法中为防范风险临机决断，或遇不可抗力、不可预见的原因，出现失误或偏差。',
      ],
      [
        '开展执法检查中，因执法对象故意隐瞒或未如实反映情况，致使没有及时发现潜在问题的',
        '执法检查时对象故意隐瞒或不如实反映情况，导致没能及时发现问题。',
      ],
      [
        '依法开展行政执法中，因行政管理相对人主观故意违法，执法人员已经采取法定措施，仍然造成事故发生的',
        '已依法采取法定措施，但相对人故意违法，仍然发生了事故。',
      ],
      [
        '在解决执法矛盾过程中因勇于破除障碍、触及固有利益，造成失误或偏差的',
        '化解执法矛盾时敢于破除障碍、触及固有利益，因此出现失误或偏差。',
      ],
      ['其他可以容错免责的情形', '不属于以上各项，但可以容错免责的其他情形（请具体说明）。'],
    ]),
    ...items(11, [
      ['主动采取措施有效避免损失或者挽回影响的', '主动采取措施，有效避免了损失或挽回了影响。'],
      ['积极配合问责调查，并主动承担责任的', '积极配合问责调查，并主动承担责任。'],
      ['其他依法可以从轻、减轻追究责任的', '其他依法可以从轻、减轻追究责任的情形（请具体说明）。'],
    ]),
    {
      id: '12',
      article: 12,
      index: 0,
      wording:
        '执法人员履行职责过程中，滥用法定职权、不履行法定职责，致使公民、法人和其他组织的合法权益受到损害，造成不良后果的',
      hint: '滥用职权或不履行法定职责，损害了公民、法人或其他组织的合法权益并造成不良后果；此情形不予容错。',
      citation: '第十二条',
    },
  ],
  conditions: [
    condition(1, '法律没有明令禁止的', '所做的事没有违反法律的明令禁止。'),
    condition(2, '没有造成重大损失和严重不良影响的', '没有造成重大损失，也没有造成严重不良影响。'),
    condition(3, '积极主动消除不良影响、挽回损失的', '事后已积极主动消除不良影响、挽回损失。'),
  ],
  conditionsLead: {
    text: '具有上述情形之一同时符合下列条件的，可以免除相关执法机构及执法人员的责任',
    citation: '第十条第二款',
  },
  // (default) art. 14 covers 免责 only (尽职免责 and 容错免责): 从轻 and 减轻 still find liability. See docs/law.md.
  notAnErrorOutcomes: ['exempt'],
  statements: {
    notAnError: { text: '经研究决定，对执法人员予以容错的，不作为执法错误认定。', citation: '第十四条' },
    correctionDuty: {
      text: '督促指导相关行政执法科室或者个人认真分析原因、深刻汲取教训，完善制度、健全机制，防止类似错误再次发生。',
      citation: '第十六条',
    },
  },
  recommendations: [
    { id: 'duty_exempt', label: '尽职免责' },
    { id: 'tolerance_exempt', label: '容错免责' },
    { id: 'lighter_or_mitigate', label: '从轻或减轻' },
    { id: 'refuse', label: '不予容错' },
    { id: 'none', label: '无适用情形' },
  ],
  voteOptions: [
    { id: 'exempt', label: '免责' },
    { id: 'lighter', label: '从轻' },
    { id: 'mitigate', label: '减轻' },
    { id: 'refuse', label: '不予容错' },
  ],
  factors: [
    { id: 'subjective_objective', name: '主观、客观条件' },
    { id: 'procedure', name: '程序方法' },
    { id: 'nature', name: '性质程度' },
    { id: 'consequence', name: '后果影响' },
    { id: 'recovery', name: '挽回损失' },
  ],
  // (default) sections; an office lists its own.
  units: [
    { id: 'general', name: '综合科' },
    { id: 'enforcement_1', name: '执法一科' },
    { id: 'enforcement_2', name: '执法二科' },
    { id: 'legal_review', name: '法制审核科' },
  ],
  enforcementStages: [
    { id: 'inspection', name: '检查' },
    { id: 'investigation', name: '调查取证' },
    { id: 'review', name: '审查' },
    { id: 'decision', name: '决定' },
    { id: 'execution', name: '执行' },
    { id: 'other', name: '其他' },
  ],
  // (default) art. 17 taxonomy for frequent-error analysis.
  errorCategories: [
    { id: 'procedure', name: '程序不规范' },
    { id: 'evidence', name: '调查取证不充分' },
    { id: 'law_application', name: '适用法律不当' },
    { id: 'discretion', name: '裁量不当' },
    { id: 'documents', name: '执法文书差错' },
    { id: 'timeliness', name: '超出办理时限' },
    { id: 'other', name: '其他' },
  ],
  enforcementAreas: [
    { id: 'shelter_construction', name: '人防工程建设' },
    { id: 'shelter_maintenance', name: '人防工程维护管理' },
    { id: 'alarm_facilities', name: '人防警报与通信设施' },
    { id: 'mobilization', name: '国防动员' },
    { id: 'other', name: '其他' },
  ],
  publicationScopes: [
    { id: 'none', label: '不公开' },
    { id: 'party', label: '党组内' },
    { id: 'chat', label: '指定群' },
  ],
  reportOutcomes: [
    { id: 'true', label: '属实' },
    { id: 'partly_true', label: '部分属实' },
    { id: 'false', label: '不属实' },
    { id: 'unfounded', label: '查无实据' },
    { id: 'tolerated', label: '属于容错免责情形' },
  ],
  // Art. 13: notify within 7 days; counting calendar days is (default).
  notice: { days: 7, kind: 'calendar', retryAfterDays: 1, escalateOnLastDay: true },
  decision: { days: 15, kind: 'working' },
  correction: {
    defaultPeriod: { days: 30, kind: 'calendar' },
    reminderOffsetsDays: [3, 1, 0],
    reminderHour: 9,
    overdueDaily: true,
    // Arts. 15–16 name both exemptions; the waiver with a stated reason is (default). See docs/law.md.
    requiredAfter: ['duty', 'tolerance'],
    waiver: 'reasoned',
  },
  deliberation: {
    quorum: { numerator: 1, denominator: 2, strict: true },
    majority: { numerator: 1, denominator: 2, strict: true },
  },
  risk: { threshold: 3, windowDays: 180 },
  digest: { weekday: 1, hour: 9 },
  calendar: { extraDays: [], warnDaysBeforeDataEnds: 60 },
  // A card input holds at most 1000 characters (输入框 max_length 1–1000).
  limits: { titleMaxLength: 60, textMaxLength: 1000 },
};
