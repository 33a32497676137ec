// The strict twin for the whole suite: every card any test builds, and every card any emulator received, must pass
// the platform's rules (src/sandbox/card-rules.ts). A new card that breaks one fails CI even if no test looks at it.
import { afterEach, expect, vi } from 'vitest';
import { checkCard } from '../../src/sandbox/card-rules';
import { LarkEmulator } from '../../src/sandbox/emulator';

const built = vi.hoisted(() => ({ cards: [] as unknown[] }));

vi.mock('../../cards/common', async (importOriginal) => {
  const common = await importOriginal<typeof import('../../cards/common')>();
  return {
    ...common,
    card: (p: Parameters<typeof common.card>[0]) => {
      const c = common.card(p);
      built.cards.push(c);
      return c;
    },
  };
});

// The renderer's own tests feed it cards no bot sends (unknown tags, hostile text) on purpose.
const RENDERER_TESTS = ['test/sandbox/page.test.ts'];

const emulators = new Set<LarkEmulator>();
LarkEmulator.onStart = (emu) => emulators.add(emu);

/** What broke the platform's rules since the last call, in cards built in `file` or refused by any emulator. */
export function strictTwinProblems(file: string): string[] {
  const problems: string[] = [];
  for (const emu of emulators) {
    for (const r of emu.takeCardRefusals())
      problems.push(
        `the emulator refused a card (${r.route}): ${r.code} ${r.findings.map((f) => `${f.rule} ${f.path}: ${f.detail}`).join('; ')}`,
      );
  }
  const cards = built.cards.splice(0);
  for (const c of RENDERER_TESTS.some((t) => file.endsWith(t)) ? [] : cards) {
    const r = checkCard(c);
    if (r) {
      const title = (c as { header?: { title?: { content?: string } } }).header?.title?.content ?? '';
      problems.push(
        `card 「${title}」 breaks the platform's rules: ${r.findings.map((f) => `${f.rule} ${f.path}: ${f.detail}`).join('; ')}`,
      );
    }
  }
  return [...new Set(problems)];
}

afterEach(() => {
  const problems = strictTwinProblems(expect.getState().testPath ?? '');
  if (problems.length > 0) throw new Error(problems.slice(0, 20).join('\n'));
});
