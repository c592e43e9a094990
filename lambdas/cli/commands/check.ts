import { parseArgs } from 'node:util';
import { ConfigError, describeError } from '../../core/errors.js';
import { formatKstWallClock } from '../../core/kst-time.js';
import { escapeControls } from '../../core/printable.js';
import { positiveInteger, runIntervalFromEnv } from '../../core/settings.js';
import { type CheckReport, checkLake, fixLake } from '../check/check-lake.js';
import type { CheckSettings } from '../check/checks.js';
import { CHECKS, type CheckName } from '../check/problems.js';
import type { CommandIo } from '../command-io.js';
import { defaultLakeDir } from '../config.js';
import { whyNotALake } from '../lake-folder.js';
import { describeHolder, holdLakeFolder, type LakeLock } from '../pipeline/lake-lock.js';
import type { LakeLocation } from '../replay/lake-location.js';
import { describeLocation, LAKE_OPTIONS, LAKE_USAGE, lakeLocationOf } from '../replay/lake-options.js';
import { DEFAULT_MAX_WORKERS, defaultWorkers } from '../replay/worker-pool.js';
import { formatReplaySummary } from './replay.js';

export const CHECK_USAGE = `Usage: npm run check -- [options]

Checks a lake and prints one line per problem, grouped by kind, then a summary:
${Object.values(CHECKS)
  .map((title) => `  - ${title}`)
  .join('\n')}

Options:
${LAKE_USAGE}
  --fix                repair what raw/ can repair (replays the affected partitions; in a lake
                       folder, removes temporary files left more than an hour ago), then check again
  --stale-minutes N    data older than this when collected is stale (default 60)
  --workers N          worker threads for --fix (default: one per CPU, at most ${DEFAULT_MAX_WORKERS})
  -h, --help           this text

Exit status: 0 healthy, 1 a problem was found (after --fix: one remains) or the lake cannot be read, 2 bad options.`;

const LEFTOVER_AGE_MS = 60 * 60_000;

/** The checks a healthy lake passed ('check-failed' is not one: it says a check could not run). */
const CHECK_COUNT = Object.keys(CHECKS).length - 1;

/** `npm run check`: is my lake healthy? */
export async function checkCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CommandIo,
): Promise<number> {
  let location: LakeLocation;
  let settings: CheckSettings;
  let fix: boolean;
  let workers: number;
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        ...LAKE_OPTIONS,
        fix: { type: 'boolean', default: false },
        'stale-minutes': { type: 'string' },
        workers: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      io.out(CHECK_USAGE);
      return 0;
    }
    location = lakeLocationOf(values, defaultLakeDir(env));
    settings = {
      staleMinutes: positiveInteger('--stale-minutes', values['stale-minutes'], 60, 7 * 24 * 60),
      leftoverAgeMs: LEFTOVER_AGE_MS,
      runIntervalMinutes: runIntervalFromEnv(env),
    };
    fix = values.fix;
    workers = positiveInteger('--workers', values.workers, defaultWorkers(), 64);
  } catch (error) {
    io.err(`error: ${error instanceof ConfigError ? error.message : (error as Error).message}`);
    io.err('run npm run check -- --help for the options');
    return 2;
  }

  const where = describeLocation(location);
  const notALake = location.kind === 'folder' ? whyNotALake(location.path) : undefined;
  if (notALake) {
    io.err(`error: ${notALake}`);
    return 1;
  }
  // --fix writes: it holds the lake as its one writer from the first check to the last.
  let lock: LakeLock | undefined;
  try {
    lock = fix ? await holdLakeFolder(location, 'npm run check -- --fix') : undefined;
  } catch (error) {
    io.err(`error: ${describeError(error)}`);
    return 1;
  }
  if (lock?.tookOverFrom)
    io.err(
      `the lake's lock of ${describeHolder(lock.tookOverFrom)} was left by a process that is gone: taken over`,
    );
  try {
    let report = await checkLake(location, settings);
    if (report.files === 0) {
      io.err(`error: ${where} holds no files: is it the lake? (--lake DIR or --bucket NAME --prefix P)`);
      return 1;
    }
    io.out(formatReport(where, report));
    if (!fix || report.problems.length === 0) return report.problems.length === 0 ? 0 : 1;

    io.out('\nfixing:');
    const outcome = await fixLake(location, report.problems, workers);
    if (outcome.replayed) io.out(formatReplaySummary(outcome.replayed));
    for (const key of outcome.removed) io.out(`  removed ${escapeControls(key)}`);
    for (const { key, reason } of outcome.notRemoved)
      io.out(`  not removed: ${escapeControls(key)}: ${escapeControls(reason)}`);
    for (const problem of outcome.unrepairable)
      io.out(`  cannot repair from raw/: ${CHECKS[problem.check]}: ${escapeControls(problem.text)}`);
    io.out('\nafter the fix:');
    report = await checkLake(location, settings);
    io.out(formatReport(where, report));
    if (report.problems.length === 0) return 0;
    io.out(
      `not fixed: the ${report.problems.length} problem(s) above remain (${report.problems.filter((p) => !p.repair).length} not repairable from raw/; the others as the fix above says)`,
    );
    return 1;
  } catch (error) {
    io.err(`error: cannot check ${where}: ${describeError(error)}`);
    return 1;
  } finally {
    await lock?.release();
  }
}

/** One line per problem under its kind, then a summary line. */
export function formatReport(where: string, report: CheckReport): string {
  const lines: string[] = [];
  const groups = new Map<CheckName, string[]>();
  for (const problem of report.problems) {
    const group = groups.get(problem.check) ?? [];
    // A problem names files and values of the lake: escaped, so each stays one line.
    group.push(`  ${escapeControls(problem.text)}${problem.repair ? '' : '  [not repairable from raw/]'}`);
    groups.set(problem.check, group);
  }
  for (const check of Object.keys(CHECKS) as CheckName[]) {
    const group = groups.get(check);
    if (!group) continue;
    lines.push(`${CHECKS[check]} (${group.length}):`, ...group);
  }
  if (report.findings.length > 0) {
    const records = report.findings.reduce((total, f) => total + f.count, 0);
    lines.push(
      `records in rejected/, each kept with its reason (accounted for, not problems) (${records}):`,
      ...report.findings.map((f) => `  ${escapeControls(f.text)}`),
    );
  }
  const unread = report.unreadFields?.fields ?? [];
  if (unread.length > 0) {
    const kst = (ms: number) => `${formatKstWallClock(new Date(ms))} KST`;
    lines.push(
      `fields the API sent that no table holds, kept in raw/ (add a column, then replay from its first time: docs/lake-and-sql.md) (${unread.length}):`,
      ...unread.map(
        (f) =>
          `  ${f.dataset}: ${escapeControls(f.field)} in ${f.answers} answer(s), first ${kst(f.firstMs)}, last ${kst(f.lastMs)}`,
      ),
      ...((report.unreadFields?.notCounted ?? 0) > 0
        ? [`  and more fields not counted (${report.unreadFields?.notCounted} sightings)`]
        : []),
    );
  }
  const total = report.problems.length;
  const rejected = report.findings.reduce((sum, f) => sum + f.count, 0);
  if (total === 0) {
    lines.push(
      `${where}: healthy (${report.files} files, ${CHECK_COUNT} checks passed${rejected > 0 ? `; ${rejected} record(s) in rejected/ with their reason` : ''}${unread.length > 0 ? `; ${unread.length} field(s) no table holds` : ''})`,
    );
  } else {
    const repairable = report.problems.filter((p) => p.repair).length;
    lines.push(
      `${where}: ${total} problem(s) in ${groups.size} check(s); ${repairable} repairable from raw/${repairable > 0 ? ' (npm run check -- --fix)' : ''}`,
    );
  }
  return lines.join('\n');
}
