// `npm run bench [-- --quick | --side N | --rounds R | --events N | --reps R | --conc 1,8,32 | --clicks N | --d1-events N | --no-d1 | --backoff-ms MS | --json | --only side,sqlite,votes,d1,jobs,kill]`
// Throughput, latency and memory of the real server against the Lark emulator, with faults injected.
import { parseArgs } from 'node:util';
import {
  BENCH_PARTS,
  type BenchOptions,
  type BenchPart,
  defaultOptions,
  formatTable,
  runBench,
} from './bench-lib';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    side: { type: 'string' },
    rounds: { type: 'string' },
    events: { type: 'string' },
    reps: { type: 'string' },
    conc: { type: 'string' },
    clicks: { type: 'string' },
    'd1-events': { type: 'string' },
    'no-d1': { type: 'boolean', default: false },
    'backoff-ms': { type: 'string' },
    json: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
  allowPositionals: false,
});

function positive(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) {
    console.error(`--${name} must be a whole number between 1 and 100000, not ${v}`);
    process.exit(2);
  }
  return n;
}

function parts(v: string): BenchPart[] {
  const list = v.split(',').map((p) => p.trim());
  const unknown = list.filter((p) => !(BENCH_PARTS as readonly string[]).includes(p));
  if (unknown.length > 0) {
    console.error(`--only takes ${BENCH_PARTS.join(', ')}; not ${unknown.join(', ')}`);
    process.exit(2);
  }
  return list as BenchPart[];
}

const quick: Partial<BenchOptions> = values.quick
  ? // Shorter retries too, so a fault's tail does not dominate a 20-second run.
    {
      sideEvents: 600,
      sideRounds: 3,
      jobRuns: 1,
      events: 20,
      d1Events: 15,
      reps: 1,
      clicks: 8,
      concurrency: [1, 8],
      delivery: { baseBackoffMs: 250 },
    }
  : {};
const options: Partial<BenchOptions> = {
  ...quick,
  ...(values.side ? { sideEvents: positive('side', values.side) } : {}),
  ...(values.rounds ? { sideRounds: positive('rounds', values.rounds) } : {}),
  ...(values.events ? { events: positive('events', values.events) } : {}),
  ...(values.reps ? { reps: positive('reps', values.reps) } : {}),
  ...(values.clicks ? { clicks: positive('clicks', values.clicks) } : {}),
  ...(values['d1-events'] ? { d1Events: positive('d1-events', values['d1-events']) } : {}),
  ...(values.conc ? { concurrency: values.conc.split(',').map((c) => positive('conc', c.trim())!) } : {}),
  ...(values['backoff-ms']
    ? { delivery: { baseBackoffMs: positive('backoff-ms', values['backoff-ms']) } }
    : {}),
  d1: !values['no-d1'],
  ...(values.only ? { only: parts(values.only) } : {}),
  // Progress goes to stderr so `--json` output stays parseable.
  log: (line) => process.stderr.write(`${line}\n`),
};

const o = { ...defaultOptions, ...options };
process.stderr.write(
  `bench: ${o.events} events × ${o.reps} reps at concurrency ${o.concurrency.join('/')} and at ${o.lightRate}/s, ${o.clicks} clicks, D1 ${o.d1 ? `${Math.min(o.events, o.d1Events)} events` : 'off'}\n`,
);
const result = await runBench(options);
if (values.json) console.log(JSON.stringify(result, null, 2));
else {
  console.log(formatTable(result));
  console.log(
    [
      '',
      `ack = time to the server's 200; e2e = from the POST to the reply appearing in the emulator (the outbox paces sends at ${'50'}/s per app and 5/s per chat).`,
      'Medians over the repetitions of each run’s percentile; ratios compare runs of this same invocation.',
      `${result.ok ? 'Every accepted event was answered exactly once.' : 'EXACTLY-ONCE VIOLATED: see the table.'} Took ${result.seconds.toFixed(0)} s.`,
    ].join('\n'),
  );
}
process.exit(result.ok ? 0 : 1);
