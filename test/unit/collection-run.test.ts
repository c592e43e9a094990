import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type RunHooks, runCollection } from '../../lambdas/core/collection-run.js';
import { selectPlaces } from '../../lambdas/core/places.js';
import type { SeoulApiClient } from '../../lambdas/core/seoul-api/client.js';
import { sampleRecord } from '../support/envelopes.js';
import { SAMPLES } from '../support/fixtures.js';
import { MemoryLog } from '../support/memory-log.js';
import { MemoryStore } from '../support/memory-store.js';

const AT = new Date('2026-07-16T14:20:00Z');
const PLACES = selectPlaces(['POI072', 'POI009']);

/** Every place answers with the recorded Yeouido record, relabelled as the place asked. */
const client: Pick<SeoulApiClient, 'fetchPlace'> = {
  fetchPlace: async (code) => ({
    status: 'ok',
    record: { ...sampleRecord(SAMPLES.yeouido), AREA_CD: code },
    fetchedAt: new Date('2026-07-16T14:20:01Z'),
    attempts: 1,
  }),
};

/** Runs the flow with hooks that write down when each is called and what the lake held then. */
async function trace(
  publish: Parameters<typeof runCollection>[0]['publish'],
  published?: RunHooks['published'],
) {
  const store = new MemoryStore();
  const events: string[] = [];
  const outcomes = () => [...store.files.keys()].filter((k) => k.startsWith('collection_outcomes/')).length;
  const hooks: RunHooks = {
    started: async ({ runId }) => void events.push(`started ${runId.slice(0, 13)}`),
    collected: async (c) => void events.push(`collected ${c.envelopes.length}`),
    ...(published
      ? {
          published: async (c) => {
            events.push(`published, outcomes ${outcomes()}`);
            return published(c);
          },
        }
      : {}),
    recorded: async () => void events.push(`recorded, outcomes ${outcomes()}`),
  };
  const run = runCollection({
    client,
    places: PLACES,
    collectedAt: AT,
    log: new MemoryLog(),
    simulated: false,
    publish,
    store,
    hooks,
  });
  return { run, events, store };
}

describe('one run flow (collect → publish → outcomes), with the hooks each side needs', () => {
  it('calls the hooks in order: outcomes are written after the landing, and only then recorded', async () => {
    const { run, events } = await trace(
      async (envelopes) => ({ published: envelopes.length, refused: [] }),
      async () => ({ writes: [] }),
    );
    const { summary } = await run;
    assert.deepEqual(events, [
      'started 20260716T1420',
      'collected 2',
      'published, outcomes 0',
      'recorded, outcomes 1',
    ]);
    assert.deepEqual(summary.places, { asked: 2, ok: 2, noData: 0, failed: 0 });
    assert.match(summary.runId, /^20260716T1420Z-[0-9a-f]{6}$/);
  });

  it('holds the outcomes back while the answers are not in the lake (waiting)', async () => {
    const { run, events, store } = await trace(
      async (envelopes) => ({ published: envelopes.length, refused: [] }),
      async () => ({ waiting: 'lake not writable: ENOSPC' }),
    );
    const { summary } = await run;
    assert.deepEqual(summary.waiting, { places: 2, reason: 'lake not writable: ENOSPC' });
    assert.deepEqual(events.at(-1), 'published, outcomes 0');
    assert.equal(store.files.size, 0);
  });

  it('records every place failed when the topic takes nothing, then throws the publish error', async () => {
    const refused = new Error('broker gone');
    const { run, events, store } = await trace(async () => {
      throw refused;
    });
    await assert.rejects(run, (error) => error === refused);
    assert.deepEqual(events.at(-1), 'recorded, outcomes 1');
    assert.equal(store.files.size, 1);
  });

  it('fails the places the topic refused, and keeps the others ok', async () => {
    const { run } = await trace(async (envelopes) => ({
      published: envelopes.length - 1,
      refused: [{ code: 'POI009', reason: 'message too large' }],
    }));
    const { summary } = await run;
    assert.deepEqual(summary.failures, [{ code: 'POI009', reason: 'not published: message too large' }]);
    assert.equal(summary.places.ok, 1);
  });

  it('gives simulated runs a sim- run id', async () => {
    const { summary } = await runCollection({
      client,
      places: PLACES,
      collectedAt: AT,
      log: new MemoryLog(),
      simulated: true,
      publish: async (envelopes) => ({ published: envelopes.length, refused: [] }),
      store: new MemoryStore(),
    });
    assert.match(summary.runId, /^sim-20260716T1420Z-/);
  });
});
