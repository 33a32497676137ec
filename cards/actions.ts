// Every card action the bot answers, by the id a button or form submit carries in `value.a`, with the schema
// of the rest of its `value` (Lark echoes the callback value back as `event.action.value`; what a form holds
// travels apart, in `event.action.form_value`). Cards build their values against these types and the router
// checks every click against the same schema, so an id without a schema, or a card sending what its
// handler does not read, fails `tsc`.
import { z } from 'zod';
import { CORRECTION_ACTIONS as C } from './correction';
import { CLOSE_ACTION } from './determination';
import { INTAKE_ACTIONS as I, isIntakeStep } from './intake/model';
import { REPORT_ACTIONS as R } from './report';
import { REPORT_INTAKE_ACTIONS as RI } from './report-intake';

/** A click about a case, as the deliberation, correction and intake cards name it. */
export const caseRef = z.object({ case: z.string().min(1) });
/** A click about a case, as the application card names it. */
export const applicationRef = z.object({ caseId: z.string().min(1).max(200) });
/** A click about one round of the vote; `src` says which copy of the card was clicked. */
export const roundRef = caseRef.extend({
  round: z.coerce.number<number>().int().positive(),
  src: z.string().optional(),
});
export const reportRef = z.object({ r: z.string().min(1).max(200) });
/** A click about a report and one of the people it names. */
export const reportOfficerRef = reportRef.extend({ o: z.string().min(1).max(200) });
const reportMode = z.enum(['real', 'anon']);
/** A click on a report being written: the draft's token, and whether it is anonymous. */
export const reportDraftRef = z.object({ d: z.string().min(1), m: reportMode.optional() });
export const reportDraftModeRef = reportDraftRef.extend({ m: reportMode });
const intakeStep = z.string().refine(isIntakeStep);

export const CARD_ACTIONS = {
  /** Help, welcome and note cards: stands for the words a user could type (router `COMMAND_WORDS`). */
  cmd: z.object({ cmd: z.string() }),

  'case.accept': applicationRef,
  'case.return.open': applicationRef,
  'case.return': applicationRef,
  'case.assign.open': applicationRef,
  'case.assign': applicationRef,
  'case.view': applicationRef,
  'case.open': applicationRef,

  [I.step]: caseRef.extend({ step: intakeStep, go: z.enum(['next', 'back', 'overview', 'pause']) }),
  [I.goto]: caseRef.extend({ step: intakeStep }),
  [I.submit]: caseRef,
  [I.complete]: caseRef,
  [I.cancel]: caseRef,
  [I.remove]: caseRef.extend({ key: z.string().min(1) }),
  /** Lists and notes name the case both ways, as the intake and the application cards do. */
  [I.resume]: caseRef.extend({ caseId: z.string().optional() }),

  'findings.open': caseRef,
  'findings.submit': caseRef,
  'delib.open': caseRef,
  'delib.vote': roundRef.extend({ v: z.string() }),
  /** The first click asks to confirm; 确认结束表决 carries `step` and the tally it showed, to see if it moved. */
  'delib.close': roundRef.extend({ step: z.literal('confirm').optional(), votes: z.string().optional() }),
  'delib.reopen': roundRef,
  'det.form': roundRef,
  /** 确认签发 / 返回修改 on the review card carry the filled-in form back; the form itself submits without. */
  'det.issue': roundRef.extend({
    step: z.enum(['confirm', 'edit']).optional(),
    form: z.record(z.string(), z.unknown()).optional(),
  }),
  [CLOSE_ACTION]: caseRef.extend({ src: z.string().optional() }),
  'notice.ack': caseRef.extend({ notice: z.string().min(1) }),

  [C.orderForm]: caseRef,
  [C.order]: caseRef,
  [C.open]: caseRef,
  [C.ack]: caseRef,
  [C.progressForm]: caseRef,
  [C.progress]: caseRef,
  [C.completeForm]: caseRef,
  [C.complete]: caseRef,
  [C.extendForm]: caseRef,
  [C.extend]: caseRef,
  [C.decideExtension]: caseRef.extend({ ext: z.string().min(1), v: z.enum(['approve', 'refuse']) }),
  [C.review]: caseRef.extend({ v: z.enum(['accept', 'return']) }),

  [RI.mode]: reportDraftModeRef,
  /** 确认提交 / 返回修改 on the review card carry the filled-in form back; the form itself submits without. */
  [RI.file]: reportDraftModeRef.extend({
    step: z.enum(['confirm', 'edit']).optional(),
    form: z.record(z.string(), z.unknown()).optional(),
  }),
  [RI.find]: reportDraftModeRef,
  [RI.cancel]: reportDraftRef,
  [R.open]: reportRef,
  [R.view]: reportRef,
  [R.form]: reportRef.extend({
    f: z.enum(['view', 'assign', 'findings', 'outcome', 'feedback', 'publish', 'convert']),
    o: z.string().max(200).optional(),
  }),
  [R.assign]: reportRef,
  [R.findings]: reportRef,
  [R.outcome]: reportRef,
  [R.feedback]: reportRef,
  [R.clear]: reportOfficerRef,
  [R.publish]: reportOfficerRef,
  [R.consent]: reportRef.extend({
    agree: z.union([z.boolean(), z.enum(['true', 'false']).transform((x) => x === 'true')]),
  }),
  [R.convert]: reportRef,
  [R.close]: reportRef,

  /** Without a year the list shows the one an admin most likely means. */
  'holidays.list': z.object({ year: z.coerce.number<number>().int().min(2000).max(2100).optional() }),
  'setup.config': z.object({}),
  'stats.refresh': z.object({}),
} as const;

export type ActionId = keyof typeof CARD_ACTIONS;

/** What a button or form submit of action K carries: its id and the fields its schema reads. */
export type ActionValue<K extends ActionId = ActionId> = K extends ActionId
  ? { a: K } & ListOrigin & Fields<z.input<(typeof CARD_ACTIONS)[K]>>
  : never;

/**
 * Any action on a 我的案件 or 待办 list carries the list it came from, so the click also brings that list up
 * to date (`afterListClick`); whatever else it holds is ignored there.
 */
type ListOrigin = { from?: 'mine' | 'todo' };

/** The value of action K as its handler receives it, checked and converted by its schema. */
export type ActionData<K extends ActionId> = { a: K } & Fields<z.output<(typeof CARD_ACTIONS)[K]>>;

/** An action that carries nothing but its id (zod types its empty object as an index signature of `never`). */
type Fields<T> = string extends keyof T ? unknown : T;

export function isActionId(x: unknown): x is ActionId {
  return typeof x === 'string' && Object.hasOwn(CARD_ACTIONS, x);
}
