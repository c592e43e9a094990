import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { ConfigError, describeError } from '../../core/errors.js';
import { positiveInteger } from '../../core/settings.js';
import { type CheckReport, checkLake, fixLake } from '../check/check-lake.js';
import type { CheckSettings } from '../check/checks.js';
import { CHECKS, type CheckName } from '../check/problems.js';
import type { CommandIo } from '../command-io.js';
import { defaultLakeDir } from '../config.js';
import type { LakeLocation } from '../replay/lake-location.js';
import { describeLocation, LAKE_OPTIONS, LAKE_USAGE, lakeLocationOf } from '../replay/lake-options.js';
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
  --workers N          worker threads for --fix (default: the number of CPUs)
  -h, --help           this text

Exit status: 0 healthy, 1 a problem was found (after --fix: one remains) or the lake cannot be read, 2 bad options.`;

const LEFTOVER_AGE_MS = 60 * 60_000;

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
    };
    fix = values.fix;
    workers = positiveInteger('--workers', values.workers, availableParallelism(), 64);
  } catch (error) {
    io.err(`error: ${error instanceof ConfigError ? error.message : (error as Error).message}`);
    io.err('run npm run check -- --help for the options');
    return 2;
  }

  const where = describeLocation(location);
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
    for (const key of outcome.removed) io.out(`  removed ${key}`);
    for (const problem of outcome.unrepairable)
      io.out(`  cannot repair from raw/: ${CHECKS[problem.check]}: ${problem.text}`);
    io.out('\nafter the fix:');
    report = await checkLake(location, settings);
    io.out(formatReport(where, report));
    return report.problems.length === 0 ? 0 : 1;
  } catch (error) {
    io.err(`error: cannot check ${where}: ${describeError(error)}`);
    return 1;
  }
}

/** One line per problem under its kind, then a summary line. */
export function formatReport(where: string, report: CheckReport): string {
  const lines: string[] = [];
  const groups = new Map<CheckName, string[]>();
  for (const problem of report.problems) {
    const group = groups.get(problem.check) ?? [];
    group.push(`  ${problem.text}${problem.repair ? '' : '  [not repairable from raw/]'}`);
    groups.set(problem.check, group);
  }
  for (const check of Object.keys(CHECKS) as CheckName[]) {
    const group = groups.get(check);
    if (!group) continue;
    lines.push(`${CHECKS[check]} (${group.length}):`, ...group);
  }
  const total = report.problems.length;
  if (total === 0) {
    lines.push(`${where}: healthy (${report.files} files, ${Object.keys(CHECKS).length} checks passed)`);
  } else {
    const repairable = report.problems.filter((p) => p.repair).length;
    lines.push(
      `${where}: ${total} problem(s) in ${groups.size} check(s); ${repairable} repairable from raw/${repairable > 0 ? ' (npm run check -- --fix)' : ''}`,
    );
  }
  return lines.join('\n');
}
