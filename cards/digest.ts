import { button, buttonRow, card, clip, escapeMd, hr, md } from './common';
import { type RiskLine, riskLines, type TaxonomyRow, TOLERATED_APART, taxonomyChart } from './stats';

export type DeadlineKind = 'decision' | 'notice' | 'correction';

export interface DeadlineLine {
  kind: DeadlineKind;
  caseNumber: string;
  title: string;
  dueOn: string;
  /** Calendar days from today to the deadline; negative when it has passed. */
  days: number;
  note?: string;
}

export const DEADLINE_LABEL: Record<DeadlineKind, string> = {
  decision: '认定期限',
  notice: '告知期限（第十三条）',
  correction: '纠错期限（第十六条）',
};

/** More lines than this per list are summarised, so the card stays under the platform's size limit. */
export const MAX_DEADLINE_LINES = 15;

export interface DigestCardData {
  orgName: string;
  /** The Monday the digest is for. */
  weekOf: string;
  open: { label: string; count: number }[];
  horizonDays: number;
  upcoming: DeadlineLine[];
  overdue: DeadlineLine[];
  windowDays: number;
  threshold: number;
  categories: TaxonomyRow[];
  areas: TaxonomyRow[];
  risks: RiskLine[];
}

function deadlineLines(lines: DeadlineLine[], empty: string): string {
  if (lines.length === 0) return empty;
  const shown = lines.slice(0, MAX_DEADLINE_LINES).map((l) => {
    const when = l.days < 0 ? `已逾期 ${-l.days} 天` : l.days === 0 ? '今天到期' : `还有 ${l.days} 天`;
    const note = l.note ? `，${escapeMd(clip(l.note, 16))}` : '';
    return `- ${l.caseNumber} ${escapeMd(clip(l.title, 20))}：${DEADLINE_LABEL[l.kind]} ${l.dueOn}（${when}${note}）`;
  });
  const more = lines.length - shown.length;
  return [...shown, ...(more > 0 ? [`- 另有 ${more} 项未列出，请发送「统计」或「待办」查看`] : [])].join(
    '\n',
  );
}

/** The weekly digest for the party group: open cases, deadlines, overdue items and the art. 17 counts. */
export function digestCard(d: DigestCardData) {
  const openTotal = d.open.reduce((n, s) => n + s.count, 0);
  return card({
    title: '容错纠错每周摘要',
    subtitle: `${d.orgName} · ${d.weekOf} 当周`,
    template: d.overdue.length > 0 ? 'orange' : 'blue',
    summary: `每周摘要：在办 ${openTotal} 件，逾期 ${d.overdue.length} 项`,
    elements: [
      md(`**在办案件**（${openTotal} 件）：${d.open.map((s) => `${s.label} ${s.count}`).join(' · ')}`),
      hr(),
      md(
        `**<font color='red'>已逾期</font>**（${d.overdue.length} 项）\n${deadlineLines(d.overdue, '没有逾期事项。')}`,
      ),
      md(
        `**未来 ${d.horizonDays} 天内到期**（${d.upcoming.length} 项）\n${deadlineLines(d.upcoming, '没有即将到期的事项。')}`,
      ),
      hr(),
      md(
        `**易错情形**（第十七条；近 ${d.windowDays} 天，预警线 ${d.threshold} 件）\n${riskLines(d.risks, d.windowDays, d.threshold)}`,
      ),
      taxonomyChart('按错误类别', d.categories),
      taxonomyChart('按执法领域', d.areas),
      md(TOLERATED_APART),
      hr(),
      buttonRow([
        button('查看统计', { a: 'cmd', cmd: 'stats' }),
        button('我的待办', { a: 'cmd', cmd: 'todo' }),
      ]),
    ],
  });
}
