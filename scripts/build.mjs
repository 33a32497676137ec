// Builds what `npm start` runs: one ES module per entry in dist/, the project's TypeScript compiled and joined,
// every package left to Node to load from node_modules. Running compiled JavaScript instead of TypeScript
// through a loader keeps no loader thread and no compiler in the bot's process (about 60 MB less resident).
// Plain JavaScript, so that a fresh checkout can run it with node alone.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** What `npm start` runs. */
export const START = { entry: 'src/runtime/start.ts', out: 'dist/start.mjs' };

/**
 * The flags `npm start` gives node (package.json says them again; a test holds the two together).
 * - A young generation of 4 MB semi-spaces instead of V8's 16 keeps about 25 MB less resident under load, and
 *   handling was no slower with it.
 * - V8's pool of background threads (the collector's helpers, the optimising compiler) sized to the machine:
 *   with 0 Node chooses the size from the parallelism the machine offers (one helper on two cores), where its
 *   default is always four. On two cores, four helpers beside the event loop and the SQLite writer only took
 *   turns with them: the morning tick over 1,000 due cases took about a fifth less time and CPU with one,
 *   acknowledgements were the same, and the process kept about 6 MB less resident.
 * - The old generation collected once it has grown half again past what the last full collection kept
 *   (V8 otherwise lets a small heap grow to two or more times that first). Under five rounds of 2,000
 *   events each the heap's garbage took the peak to 203–211 MB resident; with it, 167–179 MB, at the
 *   same acknowledgement rate.
 */
export const START_FLAGS = ['--max-semi-space-size=4', '--v8-pool-size=0', '--heap-growing-percent=50'];

/**
 * Modules find their files beside them (the writer thread's script, the migrations, the sandbox page's
 * assets) through `import.meta.url`. Joined into one file they would all share the bundle's: each keeps
 * the address of its own source file instead, so every relative path means what it means in the sources.
 */
const ownUrls = {
  name: 'own-module-urls',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      return {
        contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
        loader: 'ts',
      };
    });
  },
};

/** Builds `entry` (a path from the project's root) into `out`; returns the absolute path of `out`. */
export async function buildEntry({ entry, out }) {
  const outfile = join(ROOT, out);
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    // 20.10: the first Node 20 with import attributes (`with { type: 'json' }`), kept as written.
    target: 'node20.10',
    packages: 'external',
    plugins: [ownUrls],
    logLevel: 'warning',
    write: false,
  });
  // Written beside and renamed into place: a process starting the build meanwhile (a test, a second
  // npm start) reads the whole old file or the whole new one, never half of one.
  const [file] = result.outputFiles;
  mkdirSync(dirname(outfile), { recursive: true });
  const temp = `${outfile}.${process.pid}.tmp`;
  writeFileSync(temp, file.contents);
  renameSync(temp, outfile);
  return outfile;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const t = performance.now();
  const out = await buildEntry(START);
  console.error(`built ${relative(ROOT, out)} in ${(performance.now() - t).toFixed(0)} ms`);
}
