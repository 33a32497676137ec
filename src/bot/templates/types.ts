import type { Case, Intent, Recipient, Report, TemplateName } from '../../cases/types';
import type { Ctx } from '../context';

export type TellIntent = Extract<Intent, { kind: 'tell' }>;

export interface Rendered {
  card: object;
  /** Logical name of the message, to update it later or to track its delivery. */
  ref?: string;
  /** Where the card goes instead of the intent's recipient (e.g. the bound party chat). */
  to?: Recipient;
}

export interface RenderInput {
  intent: TellIntent;
  case?: Case;
  report?: Report;
}

/** Turns a message intent from the core into a card; one per template name. */
export type TemplateRenderer = (ctx: Ctx, input: RenderInput) => Rendered | Promise<Rendered>;

/** One renderer for every template the core can emit: a name without one is a type error. */
export type TemplateRenderers = { [K in TemplateName]: TemplateRenderer };

/** Cards that are updated in place as a case moves: the applicant's tracker and the vote card. */
export interface LiveCards {
  tracker: (ctx: Ctx, c: Case) => object | Promise<object>;
  deliberation: (ctx: Ctx, c: Case) => object | Promise<object>;
  /** Brings every copy of the case's application card (party group, handlers' chats) up to date. */
  applications: (ctx: Ctx, c: Case) => Promise<void>;
  /** Brings every person's 我的案件 and 待办 lists up to date once the change is committed. */
  lists: (ctx: Ctx, c: Case) => void;
}
