// The words the bot shows, checked over everything an end-to-end test made it say: no doubled words or
// phrases, no sentence said twice in one card, and no error naming a field the card it answers does not show.
import type { ClickResult, LarkEmulator } from '../../src/sandbox/emulator';

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Every piece of text a card or message shows (titles, markdown, labels, placeholders, options, buttons);
 * with `summary: false` not the header, the chat-list preview nor pop-ups, which repeat the body by design.
 */
export function shownTexts(content: unknown, opts: { summary?: boolean } = {}): string[] {
  const out: string[] = [];
  const walk = (v: unknown, key: string) => {
    if (typeof v === 'string') {
      if (key === 'content' || key === 'text' || key === 'title') out.push(v);
      return;
    }
    if (Array.isArray(v)) for (const x of v) walk(x, key);
    else if (isRec(v)) {
      // Values a button carries back and chart data are not read by people.
      for (const [k, x] of Object.entries(v))
        if (
          k !== 'value' &&
          k !== 'behaviors' &&
          k !== 'chart_spec' &&
          (opts.summary !== false || (k !== 'summary' && k !== 'confirm' && k !== 'header'))
        )
          walk(x, k);
    }
  };
  walk(content, '');
  return out;
}

// A particle or auxiliary said twice in a row is a mistake in any formal text (「已已」「的的」).
const DOUBLED_CHAR = /(已|的|了|请|是|为|和|与|将|被|由|对|在|向|于|及|或|并|把|按|应|可|须)\1/u;
// The same phrase twice in a row, or a label said twice (「初步评估：初步评估：」); not 「验收，验收通过后」.
const DOUBLED_PHRASE = /(\p{Script=Han}{2,12}) ?\1|(\p{Script=Han}{2,12})[：:]\2[：:]/u;

/** What is wrong with one piece of shown text; empty when nothing is. */
export function doubledWords(text: string): string[] {
  const plain = text.replace(/\*\*|<[^>]+>/g, '');
  const problems: string[] = [];
  const c = plain.match(DOUBLED_CHAR);
  if (c) problems.push(`doubled 「${c[0]}」`);
  // A command quoted as an example (「查询 查询码」) says what to type, not prose.
  const p = plain.replace(/「[^「」]*」/g, '「」').match(DOUBLED_PHRASE);
  if (p) problems.push(`doubled 「${p[0]}」`);
  return problems;
}

/**
 * Sentences of a card said twice (a statement quoted in two places of the same card). Lines of a list carry
 * numbers and dates and may well repeat; a long sentence of prose should not.
 */
export function repeatedSentences(texts: string[]): string[] {
  const seen = new Map<string, number>();
  for (const t of texts)
    for (const s of t.split(/[。\n]/)) {
      // A labelled line (「**分析原因**（第十六条）：…」) is compared by what follows its label.
      const k = s
        .replace(/^\s*\*\*[^*]+\*\*(（[^）]*）)?：/u, '')
        .replace(/\*\*/g, '')
        .replace(/^[\s📌\-•\d.、]+/u, '')
        .trim();
      // Status lines (✅/❌ against an item) belong to checklists, which may show the same item in two sections.
      if ([...k].length >= 16 && !/[\d✅❌]/u.test(k)) seen.set(k, (seen.get(k) ?? 0) + 1);
    }
  return [...seen].filter(([, n]) => n > 1).map(([s]) => `said twice: 「${s}」`);
}

// How an error names a field: 请填写「X」, 请选择「X」, 「X」不能为空, 「X」格式不正确, 「X」过于简略 …
const FIELD_IN_ERROR =
  /(?:请填写|请选择|请指定|请至少\p{Script=Han}{0,4}一项|或)「([^「」]+)」|「([^「」]+)」(?=不能|格式|过于|的日期|的内容|的选项|不是|须|不在|中有|未填写|的每一项)/gu;

/** Field names an error quotes that the card it answers does not show. */
export function unknownFields(error: string, card: unknown): string[] {
  const shown = shownTexts(card).join('\n');
  return [...error.matchAll(FIELD_IN_ERROR)]
    .map((m) => (m[1] ?? m[2])!)
    .filter((name) => !shown.includes(name));
}

interface Click {
  messageId: string;
  before: unknown;
  result: ClickResult;
}

/** Records each click on `emu` (the card clicked and the answer) so `wordProblems` can check the answer. */
export function watchWords(emu: LarkEmulator): { problems(): string[] } {
  const clicks: Click[] = [];
  const click = emu.click.bind(emu);
  emu.click = async (...args: Parameters<LarkEmulator['click']>) => {
    const before = structuredClone(emu.message(args[1])?.content);
    const result = await click(...args);
    clicks.push({ messageId: args[1], before, result });
    return result;
  };
  return {
    problems() {
      const problems: string[] = [];
      for (const m of emu.state.messages) {
        if (m.from !== 'app') continue;
        for (const v of m.versions) {
          const texts = shownTexts(v);
          for (const t of texts)
            for (const p of doubledWords(t)) problems.push(`${m.messageId}: ${p} in 「${t.slice(0, 80)}」`);
          const title = isRec(v) && isRec(v.header) && isRec(v.header.title) ? v.header.title.content : '';
          for (const p of repeatedSentences(shownTexts(v, { summary: false })))
            problems.push(`${m.messageId} 「${String(title)}」: ${p}`);
        }
      }
      for (const c of clicks) {
        const toast = c.result.toast;
        if (!toast) continue;
        for (const p of doubledWords(toast.content)) problems.push(`toast ${p}: 「${toast.content}」`);
        if (toast.type === 'error' && c.before !== undefined)
          for (const f of unknownFields(toast.content, c.before))
            problems.push(`error names 「${f}」, which the card clicked does not show: 「${toast.content}」`);
      }
      return [...new Set(problems)];
    },
  };
}
