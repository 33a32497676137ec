import { trackerCard } from '../../../cards/tracker';
import type { TemplateName } from '../../cases/types';
import { caseTemplates, refreshApplications } from '../handlers/cases';
import { refreshLists } from '../handlers/cases-lists';
import { correctionTemplates } from '../handlers/correction-render';
import { deliberationTemplates, renderDeliberation } from '../handlers/deliberation-render';
import { intakeTemplates } from '../handlers/intake';
import { reportTemplates } from '../handlers/reports';
import type { LiveCards, TemplateRenderer, TemplateRenderers } from './types';

let table: TemplateRenderers | undefined;

/**
 * The renderer of a template. The table is assembled on first use rather than at import, because the
 * feature modules that hold the renderers import the shell that calls this.
 */
export function rendererFor(name: TemplateName): TemplateRenderer {
  table ??= {
    ...caseTemplates,
    ...intakeTemplates(),
    ...deliberationTemplates,
    ...correctionTemplates,
    ...reportTemplates(),
  };
  return table[name];
}

export const liveCards: LiveCards = {
  tracker: (ctx, c) => trackerCard({ c, policy: ctx.env.policy }),
  deliberation: (ctx, c) => renderDeliberation(ctx, c),
  // Whatever moves the case (a vote, 签发, a correction, closing) moves every copy of its application card,
  // and every 我的案件 and 待办 list that may show it.
  applications: (ctx, c) => refreshApplications(ctx, c),
  lists: (ctx, c) => refreshLists(ctx, c),
};
