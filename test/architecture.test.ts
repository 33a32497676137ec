import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const p = join(dir, name);
    return statSync(join(root, p)).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const importsOf = (path: string) =>
  [
    ...readFileSync(join(root, path), 'utf8').matchAll(
      /^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm,
    ),
  ].map((m) => m[1]!);

describe('the functional core stays pure', () => {
  const core = [
    ...files('src/policy'),
    ...files('src/calendar'),
    ...files('src/cases'),
    ...files('src/documents'),
    ...files('cards'),
  ].filter((f) => !f.endsWith('.test.ts'));

  it('imports no store, web framework, Lark SDK, runtime or file system', () => {
    const forbidden =
      /(^|\/)(store|bot|notify|jobs|runtime|sandbox|lark)(\/|$)|^hono|^@larksuiteoapi|^drizzle|^better-sqlite3|^node:(fs|http|net|child_process)|^ws$/;
    const offenders = core.flatMap((f) =>
      importsOf(f)
        .filter((i) => forbidden.test(i))
        .map((i) => `${relative(root, join(root, f))} → ${i}`),
    );
    expect(offenders).toEqual([]);
  });

  it('never reads the clock: time arrives as a parameter', () => {
    const offenders = core.filter((f) =>
      /Date\.now\(|new Date\(\)|performance\.now\(/.test(readFileSync(join(root, f), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});

describe('the shell keeps features apart from what they share', () => {
  /** Every module a file imports, as a path from the root (relative imports only). */
  const targetsOf = (f: string) =>
    importsOf(f)
      .filter((i) => i.startsWith('.'))
      .map((i) => relative(root, join(root, f, '..', i)));

  it('jobs and the shared shell helpers import no feature handler', () => {
    const shell = [...files('src/jobs'), ...files('src/bot/shared')];
    expect(shell.length).toBeGreaterThan(5);
    const offenders = shell.flatMap((f) =>
      targetsOf(f)
        .filter((t) => t.startsWith(join('src', 'bot', 'handlers')))
        .map((t) => `${f} → ${t}`),
    );
    expect(offenders).toEqual([]);
  });
});
