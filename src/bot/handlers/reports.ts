// 信访举报 (art. 18): filing (real name or anonymous), 查询 by query code, and handling from the report card.
import { escapeMd } from '../../../cards/common';
import {
  clearingConsentCard,
  clearingNoticeCard,
  explanationCard,
  feedbackCard,
  REPORT_ACTIONS,
  reportListCard,
  reportNoticeCard,
} from '../../../cards/report';
import { REPORT_INTAKE_ACTIONS } from '../../../cards/report-intake';
import { updateCard } from '../../../cards/update';
import { businessDate } from '../../calendar';
import { canViewReport } from '../../cases/access';
import { reportCardRef } from '../../store/repo-reports';
import type { Ctx } from '../context';
import { trackerRef } from '../intents';
import { nameOf } from '../shared/names';
import { REPORT_STATUS_LABEL, reportCardFor } from '../shared/report-card';
import { liveCards } from '../templates';
import type { Rendered, TemplateRenderers } from '../templates/types';
import { normalizeCommand } from '../text';
import {
  onAssign,
  onClear,
  onClose,
  onConsent,
  onConvert,
  onFeedback,
  onFindings,
  onForm,
  onOpen,
  onOutcome,
  onPublish,
  onView,
} from './reports-handling';
import {
  anonymousMessage,
  duringReport,
  onCancel,
  onFile,
  onFind,
  onMode,
  REPORT_WORDS,
  startReport,
} from './reports-intake';
import { answer, type Feature, type Said } from './types';

const LIST_WORDS = new Set(['举报列表', '举报待办', '待办举报', '举报办理'].map(normalizeCommand));

const str = (x: unknown) => (typeof x === 'string' ? x : '');

function plainNote(title: string, line: string): Rendered {
  return { card: updateCard({ title, lines: [line] }) };
}

// ───────────────────────────── templates ─────────────────────────────

export function reportTemplates() {
  return {
    // Handlers get per-viewer copies from the filing itself; this only serves a stray intent.
    'report.filed': (_ctx, { report: r }) =>
      r
        ? {
            card: reportNoticeCard({
              title: '新的信访举报',
              template: 'orange',
              lines: [`**举报编号**：${r.number}`, `**举报事项**：${escapeMd(r.matter)}`],
              reportId: r.id,
            }),
          }
        : plainNote('新的信访举报', '有一件新的信访举报，请发送「举报列表」查看。'),
    'report.received': (_ctx, { report: r }) =>
      r
        ? {
            card: reportNoticeCard({
              title: '你的举报已登记',
              template: 'green',
              lines: [
                `**举报编号**：${r.number}`,
                `**举报事项**：${escapeMd(r.matter)}`,
                '举报已送党组书记和经办人办理，被举报人依规回避。核查结果会私信反馈给你（第十八条）。',
              ],
            }),
          }
        : plainNote('你的举报已登记', '核查结果会私信反馈给你。'),
    'report.investigator_assigned': async (ctx, { intent, report: r }) => {
      const to = 'user' in intent.to ? intent.to.user : undefined;
      if (!r || !to) return plainNote('核查任务', '你被指派核查一件举报，请发送「举报列表」查看。');
      return { card: await reportCardFor(ctx, r, to), ref: reportCardRef(r.id, to) };
    },
    'report.findings_submitted': (_ctx, { report: r }) =>
      r
        ? {
            card: reportNoticeCard({
              title: '举报核查意见已提交',
              template: 'wathet',
              lines: [`**举报编号**：${r.number}`, `**举报事项**：${escapeMd(r.matter)}`, '请认定核查结果。'],
              reportId: r.id,
            }),
          }
        : plainNote('举报核查意见已提交', '请发送「举报列表」查看。'),
    'report.feedback': (_ctx, { intent }) => {
      const d = intent.data ?? {};
      return {
        card: feedbackCard({
          number: str(d.number),
          matter: str(d.matter),
          resultLabel: str(d.resultLabel),
          text: str(d.text),
        }),
      };
    },
    'report.explanation': (_ctx, { intent }) => {
      const d = intent.data ?? {};
      return {
        card: explanationCard({
          number: str(d.number),
          matter: str(d.matter),
          resultLabel: str(d.resultLabel),
          text: str(d.text),
        }),
      };
    },
    'report.clearing_consent': (_ctx, { intent, report: r }) => {
      const d = intent.data ?? {};
      if (!r) return plainNote('澄清正名征求意见', '请联系党组书记。');
      return {
        card: clearingConsentCard({ reportId: r.id, matter: str(d.matter), resultLabel: str(d.resultLabel) }),
      };
    },
    'report.clearing_answered': async (ctx, { intent, report: r }) => {
      const d = intent.data ?? {};
      const officer = await nameOf(ctx, str(d.officerOpenId));
      const agreed = d.agreed === true;
      return {
        card: reportNoticeCard({
          title: agreed ? '本人同意发布澄清正名通报' : '本人不同意发布澄清正名通报',
          template: agreed ? 'turquoise' : 'grey',
          lines: [
            `**举报编号**：${str(d.number)}`,
            agreed
              ? `${officer} 同志同意发布澄清正名通报，请在举报卡片上点「发布澄清：${officer}」并选择群。`
              : `${officer} 同志不同意发布，澄清正名通报不会发布。`,
          ],
          ...(r ? { reportId: r.id } : {}),
        }),
      };
    },
    'report.clearing': async (ctx, { intent }) => {
      const d = intent.data ?? {};
      return {
        card: clearingNoticeCard({
          officer: await nameOf(ctx, str(d.officerOpenId)),
          matter: str(d.matter),
          resultLabel: typeof d.resultLabel === 'string' ? d.resultLabel : null,
          date: businessDate(ctx.now),
        }),
      };
    },
    // The subject hears of the case (their tracker), never of the report's contents or its reporter.
    'case.opened_from_report': async (ctx, { case: c }) =>
      c
        ? { card: await liveCards.tracker(ctx, c), ref: trackerRef(c.id) }
        : plainNote('组织已启动容错认定', '请发送「我的案件」查看并补充事实。'),
  } satisfies Partial<TemplateRenderers>;
}

// ───────────────────────────── 举报列表 ─────────────────────────────

async function showList(ctx: Ctx, said: Said): Promise<void> {
  const actor = await ctx.actor(said.openId);
  const items = (await ctx.repo.openReports())
    .filter((r) => canViewReport(r, actor))
    .map((r) => ({
      reportId: r.id,
      number: r.number,
      matter: r.matter,
      statusLabel: REPORT_STATUS_LABEL[r.status],
    }));
  ctx.fx.outcome = `reports:list:${items.length}`;
  const card = reportListCard(items);
  // Reports never go into a group chat.
  if (said.chatType === 'group') ctx.fx.send({ openId: said.openId }, card);
  else answer(ctx, said, card);
}

// ───────────────────────────── the feature ─────────────────────────────

export const reportsFeature: Feature = {
  name: 'reports',
  async onMessage(ctx: Ctx, said: Said): Promise<boolean> {
    const typed = said.kind === 'text' || said.kind === 'post';
    if (typed && REPORT_WORDS.has(said.words)) {
      await startReport(ctx, said);
      return true;
    }
    if (typed && LIST_WORDS.has(said.words)) {
      await showList(ctx, said);
      return true;
    }
    return duringReport(ctx, said);
  },
  onAnonymousMessage: anonymousMessage,
  actions: {
    [REPORT_INTAKE_ACTIONS.mode]: onMode,
    [REPORT_INTAKE_ACTIONS.file]: onFile,
    [REPORT_INTAKE_ACTIONS.find]: onFind,
    [REPORT_INTAKE_ACTIONS.cancel]: onCancel,
    [REPORT_ACTIONS.open]: onOpen,
    [REPORT_ACTIONS.view]: onView,
    [REPORT_ACTIONS.form]: onForm,
    [REPORT_ACTIONS.assign]: onAssign,
    [REPORT_ACTIONS.findings]: onFindings,
    [REPORT_ACTIONS.outcome]: onOutcome,
    [REPORT_ACTIONS.feedback]: onFeedback,
    [REPORT_ACTIONS.clear]: onClear,
    [REPORT_ACTIONS.publish]: onPublish,
    [REPORT_ACTIONS.consent]: onConsent,
    [REPORT_ACTIONS.convert]: onConvert,
    [REPORT_ACTIONS.close]: onClose,
  },
};
