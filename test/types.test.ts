import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

// The fixtures under test/fixtures/broken are left out of the main tsconfig; here they are compiled with
// its options, as `npm run typecheck` would compile them if they were part of the code.
const root = join(import.meta.dirname, '..');
const dir = join(root, 'test/fixtures/broken');
const fixtures = ['templates.ts', 'actions.ts', 'sound.ts'].map((f) => join(dir, f));

interface Found {
  line: number;
  code: number;
  text: string;
}

/** `// error TS<code>: <text>` above a line: that line must have this diagnostic. */
function expectedIn(file: string): Found[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((l, i) => {
      const m = /^\s*\/\/ error TS(\d+): (.+)$/.exec(l);
      return m ? [{ line: i + 2, code: Number(m[1]), text: m[2]!.trim() }] : [];
    });
}

let diagnostics = new Map<string, Found[]>();

beforeAll(() => {
  const config = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const program = ts.createProgram(fixtures, { ...options, noEmit: true });
  diagnostics = new Map(fixtures.map((f) => [f, []]));
  for (const d of ts.getPreEmitDiagnostics(program)) {
    if (!d.file) throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    const found = diagnostics.get(d.file.fileName);
    // A mistake outside the fixtures would be the code base's own error, which typecheck reports.
    if (!found) throw new Error(`unexpected diagnostic in ${d.file.fileName}`);
    const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
    found.push({ line: line + 1, code: d.code, text: ts.flattenDiagnosticMessageText(d.messageText, '\n') });
  }
}, 180_000);

function check(file: string) {
  const found = diagnostics.get(join(dir, file))!;
  const expected = expectedIn(join(dir, file));
  expect(expected.length).toBeGreaterThan(0);
  for (const e of expected) {
    const hit = found.find((f) => f.line === e.line && f.code === e.code);
    expect(hit, `TS${e.code} on line ${e.line} of ${file}; got ${JSON.stringify(found)}`).toBeDefined();
    expect(hit!.text).toContain(e.text);
  }
  // Nothing else fails: each diagnostic is one the fixture names.
  expect(found.map((f) => [f.line, f.code]).sort()).toEqual(expected.map((e) => [e.line, e.code]).sort());
}

describe('tsc refuses the vocabulary misused', () => {
  it('a template the core names but no renderer has, and a renderer table missing one', () => {
    check('templates.ts');
  });

  it('a card action without a schema, a value its schema does not allow, a handler for an unknown id', () => {
    check('actions.ts');
  });

  it('the same code written correctly compiles clean', () => {
    expect(diagnostics.get(join(dir, 'sound.ts'))).toEqual([]);
  });
});
