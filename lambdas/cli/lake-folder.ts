import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CATALOGUE_AREA } from '../core/place-catalogue.js';
import { LAKE_AREAS } from '../core/tables.js';
import { LAKE_LOCK, PENDING_RUNS, SIMULATED_MARKER } from './lake-files.js';

/**
 * What every command does with the lake folder it is given (`--lake DIR`, `LAKE_DIR`, or the
 * default): one rule for all, so a mistyped path is never an empty answer, an empty report, or a
 * new folder somewhere unexpected.
 *
 * - Commands that read a lake (`query`, `report`, `replay`, `check`) need a folder that holds a
 *   lake: one of its areas (`population/`, `raw/`, …), the run journal, or the simulator's marker.
 *   Anything else — no such path, a file, a folder of other things — exits 1 with the path and what
 *   was expected there, and nothing is created.
 * - Commands that write a lake (`start`, `demo`) take a lake, or an empty folder, or a path that
 *   does not exist yet **inside a folder that does**: that is how a first run makes a new lake
 *   (`./lake`, `./demo-lake`, `--lake /data/seoul`). A missing parent is taken for a typo and
 *   refused, as is a file or a folder of other things; nothing is created then either.
 * - Simulated and real data never mix: the demo refuses a lake holding real data, a real run
 *   refuses a lake the simulator wrote (it carries {@link SIMULATED_MARKER}).
 */

/** The line of {@link SIMULATED_MARKER} that says simulated faults were injected (`demo --faults`). */
export const FAULTS_MARK = 'faults injected';

/** Whether `demo --faults` wrote into a lake: its failures are the simulator's doing. */
export function hasSimulatedFaults(folder: string): boolean {
  return (
    isSimulatedLake(folder) && readFileSync(join(folder, SIMULATED_MARKER), 'utf8').includes(FAULTS_MARK)
  );
}

/** What makes a folder a lake: any of these at its root. */
const LAKE_ENTRIES = [
  ...LAKE_AREAS,
  PENDING_RUNS.replace(/\/$/, ''),
  CATALOGUE_AREA,
  LAKE_LOCK,
  SIMULATED_MARKER,
];

const LAKE_SHAPE = `a lake folder (holding ${LAKE_AREAS.map((area) => `${area}/`).join(', ')} or ${SIMULATED_MARKER}, as npm start and npm run demo write)`;

/** A lake folder that cannot be used as asked: the command exits 1 and creates nothing. */
export class LakeFolderError extends Error {
  override readonly name = 'LakeFolderError';
}

type Found = 'absent' | 'file' | 'lake' | 'empty' | 'other';

function look(folder: string): Found {
  if (!existsSync(folder)) return 'absent';
  if (!statSync(folder).isDirectory()) return 'file';
  const entries = readdirSync(folder);
  if (entries.length === 0) return 'empty';
  return LAKE_ENTRIES.some((entry) => entries.includes(entry)) ? 'lake' : 'other';
}

/** Whether the simulator wrote into a lake folder. */
export function isSimulatedLake(folder: string): boolean {
  return existsSync(join(folder, SIMULATED_MARKER));
}

/**
 * Why `folder` cannot be read as a lake, or undefined when it can. An empty lake (created by a
 * first run that collected nothing yet) is a lake.
 */
export function whyNotALake(folder: string): string | undefined {
  switch (look(folder)) {
    case 'absent':
      return `lake folder ${folder} does not exist: expected ${LAKE_SHAPE}; choose one with --lake DIR or LAKE_DIR (npm run demo writes ./demo-lake)`;
    case 'file':
      return `${folder} is a file, not a folder: expected ${LAKE_SHAPE}`;
    case 'empty':
    case 'other':
      return `${folder} holds no lake: expected ${LAKE_SHAPE}`;
    default:
      return undefined;
  }
}

/** Throws {@link LakeFolderError} unless `folder` can be read as a lake. */
export function requireLake(folder: string): void {
  const why = whyNotALake(folder);
  if (why) throw new LakeFolderError(why);
}

function hasData(lake: string): boolean {
  return LAKE_AREAS.some((area) => existsSync(join(lake, area)) && readdirSync(join(lake, area)).length > 0);
}

/**
 * Why `start` (real data) or `demo` (simulated) cannot write into `folder`, or undefined when it
 * can. Checks only: creates nothing.
 */
export function whyNotWritable(folder: string, simulated: boolean): string | undefined {
  const found = look(folder);
  if (found === 'file') return `${folder} is a file, not a folder: expected ${LAKE_SHAPE} or a new folder`;
  if (found === 'other')
    return `${folder} holds other files and no lake: expected ${LAKE_SHAPE}, an empty folder, or a new folder`;
  if (found === 'absent') {
    const parent = dirname(folder);
    if (!existsSync(parent))
      return `lake folder ${folder} does not exist, nor does ${parent}: a new lake is created only inside an existing folder (create ${parent} first, or check the path)`;
    if (!statSync(parent).isDirectory())
      return `lake folder ${folder} cannot be created: ${parent} is not a folder (a new lake is created only inside an existing folder)`;
    return undefined;
  }
  const marked = isSimulatedLake(folder);
  if (simulated && !marked && hasData(folder))
    return `lake folder ${folder} holds real data; the demo writes simulated data only into a lake of its own (default ./demo-lake)`;
  if (!simulated && marked)
    return `lake folder ${folder} holds simulated data (it has a ${SIMULATED_MARKER} file); choose another --lake for real data`;
  return undefined;
}

/**
 * Makes `folder` ready for a run: refuses it as {@link whyNotWritable} says, or creates it when it
 * is new (its parent exists).
 */
export async function openLakeToWrite(folder: string, simulated: boolean): Promise<void> {
  const why = whyNotWritable(folder, simulated);
  if (why) throw new LakeFolderError(why);
  if (!existsSync(folder)) await mkdir(folder);
}

/**
 * Marks a lake the demo writes into as simulated: done once the run holds the lake's lock, so a
 * demo refused because another writer holds the lake leaves no mark.
 */
export async function markIfSimulated(folder: string, simulated: boolean): Promise<void> {
  const why = whyNotWritable(folder, simulated);
  if (why) throw new LakeFolderError(why);
  if (simulated && !isSimulatedLake(folder)) {
    await writeFile(
      join(folder, SIMULATED_MARKER),
      'Everything in this lake was produced by the API simulator (npm run demo). It is not real data.\n',
    );
  }
}
