import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { START, START_FLAGS } from '../../scripts/build.mjs';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  scripts: Record<string, string>;
};
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('npm start', () => {
  it('builds, then runs the build with the flags the tests and the benchmark give it', () => {
    expect(pkg.scripts.start).toBe(`node scripts/build.mjs && node ${START_FLAGS.join(' ')} ${START.out}`);
    expect(pkg.scripts.build).toBe('node scripts/build.mjs');
  });

  it('is the README’s first command, after the install', () => {
    const first = /```sh\n([^\n]+)\n([^\n]+)\n```/.exec(readme);
    expect(first?.[1]).toMatch(/^npm ci && npm start\s+#/);
    expect(first?.[2]).toMatch(/^npm test\s+#/);
  });
});
