import { existsSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../../core/errors.js';
import { LAKE_AREAS } from '../../core/lake/partitions.js';

/** A file at the root of a lake that the simulator wrote into. */
export const SIMULATED_MARKER = '_SIMULATED';

function hasData(lake: string): boolean {
  return LAKE_AREAS.some((area) => existsSync(join(lake, area)) && readdirSync(join(lake, area)).length > 0);
}

/**
 * Keeps simulated and real data apart: a real run refuses a lake the simulator wrote to, and the
 * demo refuses a lake that holds real data. Mixing them silently would poison the history.
 */
export async function guardLake(lake: string, simulated: boolean): Promise<void> {
  const marked = existsSync(join(lake, SIMULATED_MARKER));
  if (simulated && !marked && hasData(lake)) {
    throw new ConfigError(
      `lake folder ${lake} holds real data; the demo writes simulated data only into a lake of its own (default ./demo-lake)`,
    );
  }
  if (!simulated && marked) {
    throw new ConfigError(
      `lake folder ${lake} holds simulated data (it has a ${SIMULATED_MARKER} file); choose another --lake for real data`,
    );
  }
  if (simulated && !marked) {
    await writeFile(
      join(lake, SIMULATED_MARKER),
      'Everything in this lake was produced by the API simulator (npm run demo). It is not real data.\n',
    );
  }
}
