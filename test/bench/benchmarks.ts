/**
 * The benchmarks `npm run bench` knows, in the order it runs them, each with what it measures.
 * Loaded on demand: listing them (`--help`, a misspelt name) imports none.
 */
export interface Benchmark {
  readonly name: string;
  readonly what: string;
  readonly load: () => Promise<() => Promise<void>>;
}

export const BENCHMARKS: readonly Benchmark[] = [
  {
    name: 'collector',
    what: 'one run of 121 places with 200 ms per call, concurrent against one at a time',
    load: async () => (await import('./collector.bench.js')).benchCollector,
  },
  {
    name: 'writer',
    what: "the writer's Parquet and raw files against DuckDB's COPY of the same rows",
    load: async () => (await import('./writer.bench.js')).benchWriter,
  },
  {
    name: 'kafka',
    what: 'a run through a real Kafka broker (started for it) and a 100,000-record backlog',
    load: async () => (await import('./kafka.bench.js')).benchKafka,
  },
  {
    name: 'views',
    what: 'a simulated year: the cold report, every view read whole, the report after one more day',
    load: async () => {
      const { benchViews } = await import('./views.bench.js');
      return () => benchViews();
    },
  },
  {
    name: 'replay',
    what: "replay of a year's raw/ against DuckDB writing the same partitions",
    load: async () => (await import('./replay.bench.js')).benchReplay,
  },
  {
    name: 'demo-days',
    what: 'demo --days 2 with its report against one live demo run',
    load: async () => (await import('./demo-days.bench.js')).benchDemoDays,
  },
  {
    name: 'user-paths',
    what: 'demo --days 30 and 90, a cold report, every view read whole (report database and query)',
    load: async () => (await import('./user-paths.bench.js')).benchUserPaths,
  },
];

export function unknownBenchmarks(names: readonly string[]): string[] {
  return names.filter((name) => !BENCHMARKS.some((bench) => bench.name === name));
}

export function benchUsage(): string {
  const width = Math.max(...BENCHMARKS.map((bench) => bench.name.length)) + 2;
  return [
    'Usage: npm run bench [-- NAME …]',
    '',
    'Runs the benchmarks named (all of them when none is), each printing its figures and ratios',
    'against a reference measured in the same run; nothing passes or fails on time. The kafka',
    'benchmark starts a broker on 127.0.0.1 unless KAFKA_BROKERS names one. Figures: docs/benchmarks.md.',
    '',
    'Benchmarks:',
    ...BENCHMARKS.map((bench) => `  ${bench.name.padEnd(width)}${bench.what}`),
    `${'  -h, --help'.padEnd(width + 2)}this text`,
  ].join('\n');
}
