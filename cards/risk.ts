import { card, clip, escapeMd, hr, md } from './common';
import { DIMENSION_LABEL, type RiskLine } from './stats';

export interface RiskCase {
  number: string;
  title: string;
  occurredOn: string;
  unitName: string;
}

export interface RiskGroup extends RiskLine {
  /** Of `count`, decided exempt: not recorded as an enforcement error (art. 14). */
  tolerated: number;
  /** The cases behind the count; shown to the party group only. */
  cases: RiskCase[];
  /** Of `count`, the cases of the unit the card goes to (unit audience). */
  unitCount?: number;
}

export interface RiskWarningData {
  orgName: string;
  asOf: string;
  windowDays: number;
  threshold: number;
  /** The party group sees the cases; a unit's chat sees only the counts. */
  audience: { kind: 'party' } | { kind: 'unit'; unitName: string };
  groups: RiskGroup[];
}

export const ARTICLE_17 =
  '第十七条：对同一类问题频繁出现或者同一领域集中出现的易错情形，应当针对性研究分析，找出易错风险点和问题症结并警示提醒，防止类似错误和问题重复发生。';

const MAX_CASES_PER_GROUP = 10;
/** Groups shown in full; more are named in one line (a card must stay under 30 KB). */
const MAX_GROUPS = 6;

/** 易错风险提示 (art. 17): a category or an area reached the threshold within the window. */
export function riskWarningCard(d: RiskWarningData) {
  const party = d.audience.kind === 'party';
  const unitName = d.audience.kind === 'unit' ? d.audience.unitName : '';
  const groupBlocks = d.groups.slice(0, MAX_GROUPS).map((g) => {
    const head = `**${DIMENSION_LABEL[g.dimension]}「${clip(g.name, 20)}」**：近 ${d.windowDays} 天内发生 **${g.count} 件**（预警线 ${d.threshold} 件）`;
    const tolerated =
      g.tolerated > 0
        ? `其中 ${g.tolerated} 件经认定免责，不作为执法错误认定（第十四条），但同样提示易错风险。`
        : '';
    const own = !party && g.unitCount !== undefined ? `其中本科室 ${g.unitCount} 件。` : '';
    const list = party
      ? [
          ...g.cases
            .slice(0, MAX_CASES_PER_GROUP)
            .map(
              (c) =>
                `- ${c.number} ${escapeMd(clip(c.title, 24))}（${c.occurredOn}，${clip(c.unitName, 10)}）`,
            ),
          ...(g.cases.length > MAX_CASES_PER_GROUP
            ? [`- 另有 ${g.cases.length - MAX_CASES_PER_GROUP} 件未列出`]
            : []),
        ]
      : [];
    return md([head, ...(tolerated || own ? [`${own}${tolerated}`] : []), ...list].join('\n'));
  });
  const advice = party
    ? [
        '**建议**：',
        '1. 党组针对性研究分析，找出易错风险点和问题症结；',
        '2. 督促相关科室对照检查同类执法环节，完善制度、健全机制；',
        '3. 在相关科室警示提醒，防止类似错误和问题重复发生。',
      ]
    : [
        '**请本科室**：',
        '1. 对照检查同类执法环节的程序和文书；',
        '2. 组织学习提醒，防止类似错误和问题重复发生；',
        '3. 具体案件情况请向党组了解。',
      ];
  return card({
    title: '易错风险提示',
    subtitle: party ? `${d.orgName} · ${d.asOf}` : `${d.orgName} · ${unitName} · ${d.asOf}`,
    template: 'orange',
    tags: [{ text: '第十七条', color: 'orange' }],
    summary: `易错风险提示：${d.groups.map((g) => `${DIMENSION_LABEL[g.dimension]}「${g.name}」${g.count} 件`).join('，')}`,
    elements: [
      md(ARTICLE_17),
      hr(),
      ...groupBlocks,
      ...(d.groups.length > MAX_GROUPS
        ? [
            md(
              `另有 ${d.groups.length - MAX_GROUPS} 项达到预警线：${d.groups
                .slice(MAX_GROUPS)
                .map((g) => `${DIMENSION_LABEL[g.dimension]}「${clip(g.name, 12)}」${g.count} 件`)
                .join('、')}`,
            ),
          ]
        : []),
      hr(),
      md(advice.join('\n')),
      md(`同一类别或领域达到预警线时提示一次；回落到预警线以下后再次达到时，会重新提示。`),
    ],
  });
}
