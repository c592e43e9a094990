import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * One answer of the API as the lake archived it in raw/ (every envelope as received), with the
 * KST time of its run read from its partition folder. The oracle of the journeys: what the API
 * said, read with nothing but zlib and JSON.parse, never through the project's own readers.
 */
export interface Answer {
  readonly runId: string;
  /** The envelope's collectedAt and fetchedAt: ISO 8601 UTC instants. */
  readonly collectedAt: string;
  readonly fetchedAt: string;
  readonly placeCode: string;
  /** `YYYY-MM-DD HH:MM` of the partition folder: the run's scheduled time in KST. */
  readonly runKst: string;
  /** The place record, every scalar a string as the API sends it. */
  readonly record: Record<string, unknown> & {
    AREA_CD: string;
    AREA_NM: string;
    PPLTN_TIME: string;
    AREA_PPLTN_MIN: string;
    AREA_PPLTN_MAX: string;
    AREA_CONGEST_LVL: string;
    FCST_PPLTN?: {
      FCST_TIME: string;
      FCST_CONGEST_LVL: string;
      FCST_PPLTN_MIN: string;
      FCST_PPLTN_MAX: string;
    }[];
  };
}

export function readAnswers(lake: string): Answer[] {
  const raw = join(lake, 'raw');
  const answers: Answer[] = [];
  for (const entry of readdirSync(raw, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.jsonl.gz')) continue;
    const file = join(entry.parentPath, entry.name);
    const folder = relative(raw, entry.parentPath);
    const p = /year=(\d{4})\/month=(\d{2})\/day=(\d{2})\/hour=(\d{2})\/minute=(\d{2})/.exec(folder);
    if (!p) throw new Error(`raw file outside a partition folder: ${file}`);
    const runKst = `${p[1]}-${p[2]}-${p[3]} ${p[4]}:${p[5]}`;
    for (const line of gunzipSync(readFileSync(file)).toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      const envelope = JSON.parse(line);
      answers.push({
        runId: envelope.runId,
        collectedAt: envelope.collectedAt,
        fetchedAt: envelope.fetchedAt,
        placeCode: envelope.place.code,
        runKst,
        record: envelope.payload,
      });
    }
  }
  return answers;
}
