import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { GlueClient } from '@aws-sdk/client-glue';
import { GlueCatalog } from '../../core/catalog/glue-catalog.js';
import { ConfigError, describeError } from '../../core/errors.js';
import { parsePartitionPath } from '../../core/lake/partitions.js';
import { parsePlaceList, selectPlaces } from '../../core/places.js';
import { escapeControls } from '../../core/printable.js';
import type { PartitionValues } from '../../core/schema.js';
import { positiveInteger } from '../../core/settings.js';
import { DATASET_TABLES } from '../../core/tables.js';
import { WAREHOUSE_FILE } from '../analysis/local-warehouse.js';
import type { CommandIo } from '../command-io.js';
import { defaultLakeDir } from '../config.js';
import { whyNotALake } from '../lake-folder.js';
import { describeHolder, holdLakeFolder, type LakeLock } from '../pipeline/lake-lock.js';
import type { LakeLocation } from '../replay/lake-location.js';
import {
  describeLocation,
  LAKE_OPTIONS,
  LAKE_USAGE,
  lakeLocationOf,
  parseInstant,
} from '../replay/lake-options.js';
import {
  leftOut,
  type ReplayOptions,
  type ReplayProgress,
  type ReplaySummary,
  replay,
} from '../replay/replay.js';
import { partitionStart } from '../replay/replay-plan.js';
import { DEFAULT_MAX_WORKERS, defaultWorkers } from '../replay/worker-pool.js';
import { rowsText } from '../run-text.js';

export const REPLAY_USAGE = `Usage: npm run replay -- [options]

Rebuilds ${DATASET_TABLES.map((table) => table.name).join(', ')} and rejected/ from raw/ with the current code, one
minute partition at a time: new files are written first, then old ones removed. Running it twice
changes nothing. Partitions without raw files are left alone.

Options:
${LAKE_USAGE}
  --glue-database NAME with --bucket: register the rebuilt partitions in this Glue database
  --since TIME         first collection time to replay, inclusive
  --until TIME         last collection time to replay, inclusive
                       TIME: 2026-07-16T05:20:00Z (any zone), 2026-07-16 14:20 (KST) or 2026-07-16 (KST day)
  --places CODES       only partitions holding these places (each is still rebuilt whole)
  --dry-run            say what would be written and removed; change nothing
  --workers N          worker threads (default: one per CPU, at most ${DEFAULT_MAX_WORKERS}: ${defaultWorkers()} here);
                       each may hold about 140 MiB at worst
  -h, --help           this text

Exit status: 0 everything in raw/ replayed; 1 something was left out (each partition, file or line
is named with the reason) or the replay failed (nothing half-replaced: every file is old or new);
2 bad options.`;

/** Seconds between two progress lines on stderr. */
const PROGRESS_EVERY_MS = 2_000;

/** `npm run replay`: rebuild the tables from the raw archive. */
export async function replayCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CommandIo,
): Promise<number> {
  let options: ReplayOptions;
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        ...LAKE_OPTIONS,
        'glue-database': { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        places: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        workers: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      io.out(REPLAY_USAGE);
      return 0;
    }
    const location = lakeLocationOf(values, defaultLakeDir(env));
    const glueDatabase = values['glue-database'];
    if (glueDatabase !== undefined && location.kind !== 's3')
      throw new ConfigError('--glue-database needs --bucket (Glue partitions point into S3)');
    const since = values.since === undefined ? undefined : parseInstant('--since', values.since, 'start');
    const until = values.until === undefined ? undefined : parseInstant('--until', values.until, 'end');
    if (since && until && since > until)
      throw new ConfigError(`--since ${values.since} is after --until ${values.until}`);
    const places = parsePlaceList(values.places);
    options = {
      location,
      workers: positiveInteger('--workers', values.workers, defaultWorkers(), 64),
      dryRun: values['dry-run'],
      ...(since ? { since } : {}),
      ...(until ? { until } : {}),
      ...(places ? { places: selectPlaces(places).map((p) => p.code) } : {}),
      ...(glueDatabase ? { catalog: new GlueCatalog(new GlueClient({}), glueDatabase) } : {}),
    };
  } catch (error) {
    io.err(`error: ${error instanceof ConfigError ? error.message : (error as Error).message}`);
    io.err('run npm run replay -- --help for the options');
    return 2;
  }

  const notALake = options.location.kind === 'folder' ? whyNotALake(options.location.path) : undefined;
  if (notALake) {
    io.err(`error: ${notALake}`);
    return 1;
  }
  // A dry run changes nothing and needs no lock; a replay is the lake's one writer while it runs.
  let lock: LakeLock | undefined;
  try {
    lock = options.dryRun ? undefined : await holdLakeFolder(options.location, 'npm run replay');
  } catch (error) {
    io.err(`error: ${describeError(error)}`);
    return 1;
  }
  if (lock?.tookOverFrom)
    io.err(
      `the lake's lock of ${describeHolder(lock.tookOverFrom)} was left by a process that is gone: taken over`,
    );
  io.err(`${options.dryRun ? 'dry run: ' : ''}replaying raw/ of ${describeLocation(options.location)}`);
  let lastProgress = performance.now();
  try {
    const summary = await replay({
      ...options,
      onProgress: (progress) => {
        if (performance.now() - lastProgress < PROGRESS_EVERY_MS) return;
        lastProgress = performance.now();
        io.err(formatProgress(progress));
      },
    });
    io.out(formatReplaySummary(summary));
    const [firstChanged] = summary.changedPartitions;
    if (firstChanged && !summary.dryRun)
      io.err(await invalidateDerivedTables(options.location, firstChanged));
    if (summary.partitions === 0)
      io.err(
        `no raw/*.jsonl.gz${options.since || options.until ? ' in that range' : ''} under ${describeLocation(options.location)}: nothing to replay`,
      );
    const missing = leftOut(summary);
    if (missing === 0) return 0;
    io.err(
      `error: ${missing} item(s) of raw/ left out (named above, "not replayed"); the rest is ${summary.dryRun ? 'planned' : 'replayed'}`,
    );
    return 1;
  } catch (error) {
    io.err(`error: replay failed: ${describeError(error)}`);
    io.err('every file is either the old or the new one; run the replay again to finish');
    return 1;
  } finally {
    await lock?.release();
  }
}

/**
 * Tables derived from the lake reload a partition only when its number of files changed, and a
 * replay may change rows without changing that number. Locally the analysis database is removed
 * (it is rebuilt from the lake at the next report); for S3, the warehouse reload is spelled out.
 */
async function invalidateDerivedTables(location: LakeLocation, firstChanged: string): Promise<string> {
  if (location.kind === 'folder') {
    const folder = dirname(join(location.path, WAREHOUSE_FILE));
    await rm(folder, { recursive: true, force: true });
    return `removed ${folder} (the report's analysis database; rebuilt from the lake when next needed)`;
  }
  const since = partitionStart(parsePartitionPath(firstChanged) as PartitionValues).toISOString();
  return (
    'the warehouse loader reloads a partition only when its number of files changed; to load the replayed rows, run ' +
    `DELETE FROM load_log WHERE partition_path >= '${firstChanged}' in Redshift, then invoke the loader with {"since": "${since}"}`
  );
}

export function formatProgress(p: ReplayProgress): string {
  const rate = p.envelopes / (p.elapsedMs / 1000);
  const left = ((p.partitionsTotal - p.partitionsDone) * p.elapsedMs) / Math.max(1, p.partitionsDone);
  return `  ${p.partitionsDone.toLocaleString('en-US')}/${p.partitionsTotal.toLocaleString('en-US')} partitions, ${Math.round(rate).toLocaleString('en-US')} envelopes/s, about ${duration(left)} left`;
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** What the replay did (or, on a dry run, would do), then every problem it met, one per line. */
export function formatReplaySummary(s: ReplaySummary): string {
  const verb = s.dryRun ? 'would write' : 'wrote';
  const lines = [
    `${s.dryRun ? '[DRY RUN] ' : ''}replayed ${s.partitionsRebuilt} of ${s.partitions} partition(s) in ${(s.elapsedMs / 1000).toFixed(1)} s`,
    `  envelopes: ${s.envelopes} → ${rowsText(s.rows)}, ${s.rejectedRecords} rejected, ${s.flaggedRecords} flagged`,
    `  files: ${verb} ${s.written}, ${s.unchanged} unchanged, ${s.dryRun ? 'would remove' : 'removed'} ${s.removed.length}, kept ${s.kept.length}`,
  ];
  if (s.registered > 0) lines.push(`  glue: ${s.registered} partition(s) registered`);
  // File names and reasons come from the lake: escaped, so each stays one line.
  const lake = (text: string) => escapeControls(text);
  for (const key of s.removed) lines.push(`  ${s.dryRun ? 'would remove' : 'removed'} ${lake(key)}`);
  for (const { key, reason } of s.kept) lines.push(`  kept ${lake(key)}: ${lake(reason)}`);
  for (const m of s.misfiled)
    lines.push(`  not replayed: ${lake(m.key)} line ${m.line} belongs to partition ${lake(m.belongsTo)}`);
  for (const u of s.unreadable)
    lines.push(`  not replayed: ${lake(u.key)}${u.line > 0 ? ` line ${u.line}` : ''}: ${lake(u.reason)}`);
  for (const f of s.failed) lines.push(`  not replayed: partition ${lake(f.partition)}: ${lake(f.reason)}`);
  for (const key of s.ignored) lines.push(`  not replayed: ${lake(key)}: not a raw archive (*.jsonl.gz)`);
  return lines.join('\n');
}
