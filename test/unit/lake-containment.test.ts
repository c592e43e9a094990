import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { removeDeadTemporaryFiles, settlePendingRuns } from '../../lambdas/cli/pipeline/run-journal.js';
import { StorageError } from '../../lambdas/core/errors.js';
import { regularFilesUnder } from '../../lambdas/core/storage/folder-walk.js';
import { LocalFolderStore } from '../../lambdas/core/storage/local-folder-store.js';
import { S3ObjectStore } from '../../lambdas/core/storage/s3-store.js';
import { outcomesFile } from '../../lambdas/core/writers/outcomes-writer.js';
import { MemoryLog } from '../support/memory-log.js';

/**
 * Containment: no store operation follows, reads, writes or removes anything outside the lake,
 * whatever is planted inside it, and no key built from data can name a place outside it.
 */
const P = 'year=2026/month=07/day=16/hour=14/minute=00';

/** A lake and, beside it, a folder that must never change; `outside()` lists it with its bytes. */
function lakeWithOutside() {
  const root = mkdtempSync(join(tmpdir(), 'containment-'));
  const lake = join(root, 'lake');
  const outside = join(root, 'outside');
  mkdirSync(join(lake, 'population', P), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(outside, 'x.parquet'), 'outside bytes');
  writeFileSync(join(outside, 'x.parquet.999999-abcdef01.tmp'), 'a dead writer elsewhere');
  const snapshot = () =>
    readdirSync(outside)
      .sort()
      .map((name) => `${name}=${readFileSync(join(outside, name), 'utf8')}`);
  return { lake, outside, store: new LocalFolderStore(lake), snapshot, before: snapshot() };
}

const refuses = (promise: Promise<unknown>, reason: RegExp) =>
  assert.rejects(promise, (error: Error) => error instanceof StorageError && reason.test(error.message));

describe('containment of the local lake', () => {
  it('never goes through a linked folder: list, listFolders, get, put and delete all refuse or skip it', async () => {
    const { lake, outside, store, snapshot, before } = lakeWithOutside();
    // The hour folder is a link to a folder outside the lake.
    const hour = join(lake, 'population', 'year=2026/month=07/day=16/hour=15');
    symlinkSync(outside, hour);
    const behind = 'population/year=2026/month=07/day=16/hour=15/x.parquet';
    assert.deepEqual(await store.list('population/'), []);
    assert.deepEqual(await store.listFolders('population/year=2026/month=07/day=16/'), ['hour=14']);
    assert.deepEqual(await store.listForeign('population/'), [
      { key: 'population/year=2026/month=07/day=16/hour=15', what: 'a symbolic link (never followed)' },
    ]);
    await refuses(store.list('population/year=2026/month=07/day=16/hour=15/'), /symbolic link/);
    await refuses(store.get(behind), /hour=15 is a symbolic link/);
    await refuses(store.put(behind.replace('x.', 'new.'), Buffer.from('x'), 'x'), /symbolic link/);
    await refuses(store.delete(behind), /symbolic link/);
    assert.deepEqual(snapshot(), before);
  });

  it('never opens or removes a linked file, a dangling link or a folder named like a file', async () => {
    const { lake, outside, store, snapshot, before } = lakeWithOutside();
    const at = (name: string) => join(lake, 'population', P, name);
    symlinkSync(join(outside, 'x.parquet'), at('linked.parquet'));
    symlinkSync(join(lake, 'gone'), at('dangling.parquet'));
    mkdirSync(at('folder.parquet'));
    writeFileSync(at('real.parquet'), 'inside');
    const key = (name: string) => `population/${P}/${name}`;
    assert.deepEqual(await store.list('population/'), [key('real.parquet')]);
    assert.deepEqual(
      (await store.listForeign('')).map((e) => `${e.key}: ${e.what}`),
      [
        `${key('dangling.parquet')}: a symbolic link (never followed)`,
        `${key('folder.parquet')}: a folder where a file is expected`,
        `${key('linked.parquet')}: a symbolic link (never followed)`,
      ],
    );
    await refuses(store.get(key('linked.parquet')), /linked\.parquet: a symbolic link/);
    await refuses(store.get(key('dangling.parquet')), /a symbolic link/);
    await refuses(store.get(key('folder.parquet')), /a folder where a file is expected/);
    await refuses(store.delete(key('linked.parquet')), /symbolic link.*left as it is/);
    await refuses(store.delete(key('folder.parquet')), /folder.*left as it is/);
    assert.ok(existsSync(at('linked.parquet')) && existsSync(at('folder.parquet')));
    // A write to the link's name replaces the link inside the lake; the file it pointed to stays.
    await store.put(key('linked.parquet'), Buffer.from('new'), 'x');
    assert.equal(readFileSync(at('linked.parquet'), 'utf8'), 'new');
    assert.equal((await store.get(key('real.parquet'))).toString(), 'inside');
    assert.deepEqual(snapshot(), before);
  });

  it('lists the Parquet files DuckDB may be given without entering a linked folder or naming a linked file', () => {
    const { lake, outside } = lakeWithOutside();
    writeFileSync(join(lake, 'population', P, 'real.parquet'), 'inside');
    assert.deepEqual(regularFilesUnder(join(lake, 'population'), '.parquet'), {
      files: [join(lake, 'population', P, 'real.parquet')],
      linked: false,
    });
    symlinkSync(outside, join(lake, 'population', 'year=2026', 'linked'));
    symlinkSync(join(outside, 'x.parquet'), join(lake, 'population', P, 'linked.parquet'));
    assert.deepEqual(regularFilesUnder(join(lake, 'population'), '.parquet'), {
      files: [join(lake, 'population', P, 'real.parquet')],
      linked: true,
    });
    // A linked table folder is not entered at all.
    symlinkSync(join(lake, 'population'), join(lake, 'population_forecast'));
    assert.deepEqual(regularFilesUnder(join(lake, 'population_forecast'), '.parquet'), {
      files: [],
      linked: true,
    });
  });

  it('refuses a file larger than the reader asked for, without reading it', async () => {
    const { store } = lakeWithOutside();
    await store.put('raw/big.jsonl.gz', Buffer.alloc(2048), 'x');
    await refuses(store.get('raw/big.jsonl.gz', { maxBytes: 1024 }), /2048 bytes, over the limit of 1024/);
    assert.equal((await store.get('raw/big.jsonl.gz', { maxBytes: 2048 })).length, 2048);
  });

  it('removes dead temporary files only inside the lake, never behind a link', async () => {
    const { lake, outside, snapshot, before } = lakeWithOutside();
    symlinkSync(outside, join(lake, 'population', P, 'linked'));
    symlinkSync(outside, join(lake, 'raw'));
    writeFileSync(join(lake, 'population', P, 'y.parquet.999999-abcdef01.tmp'), 'dead writer here');
    assert.deepEqual(await removeDeadTemporaryFiles(lake), [`population/${P}/y.parquet.999999-abcdef01.tmp`]);
    assert.deepEqual(snapshot(), before);
  });

  for (const key of [
    '../x.parquet',
    'raw/../../x.gz',
    'raw//x.gz',
    './raw/x.gz',
    'raw/x/..',
    '/raw/x.gz',
    '',
    'raw\\..\\x',
  ]) {
    it(`refuses the key ${JSON.stringify(key)} in a folder and in S3, before any I/O`, async () => {
      const { store, snapshot, before } = lakeWithOutside();
      const sent: unknown[] = [];
      const s3 = new S3ObjectStore(
        { send: async (c: unknown) => sent.push(c) } as unknown as S3Client,
        'b',
        'lake',
      );
      for (const target of [store, s3]) {
        await refuses(target.put(key, Buffer.from('x'), 'x'), /refused/);
        await refuses(target.get(key), /refused/);
        await refuses(target.delete(key), /refused/);
      }
      assert.deepEqual(sent, []);
      assert.deepEqual(snapshot(), before);
    });
  }
});

describe('containment of an S3 lake', () => {
  it('never lists a key with empty, "." or ".." parts as a lake key, names it apart, and skips folder markers', async () => {
    const keys = [
      'lake/raw/a.jsonl.gz',
      'lake/raw/../../escape.jsonl.gz',
      'lake/raw//b.jsonl.gz',
      'lake/raw/',
      'lake/raw/./c.jsonl.gz',
    ];
    const s3 = {
      send: async (command: unknown) => {
        assert.ok(command instanceof ListObjectsV2Command);
        return { Contents: keys.map((Key) => ({ Key })), IsTruncated: false };
      },
    } as unknown as S3Client;
    const store = new S3ObjectStore(s3, 'b', 'lake');
    assert.deepEqual(await store.list('raw/'), ['raw/a.jsonl.gz']);
    assert.deepEqual(
      (await store.listForeign('raw/')).map((e) => e.key),
      ['raw/../../escape.jsonl.gz', 'raw/./c.jsonl.gz', 'raw//b.jsonl.gz'],
    );
  });
});

describe('no value from the data becomes a path', () => {
  for (const runId of ['../../../population/x', 'a/b', '..', '.hidden', 'x'.repeat(201), 'run id']) {
    it(`a run id ${JSON.stringify(runId.slice(0, 30))} never names a file`, async () => {
      await assert.rejects(
        outcomesFile({
          runId,
          collectedAt: new Date('2026-07-16T05:00:00Z'),
          envelopes: [],
          outcomes: [],
          durationMs: 0,
        }),
        /is not a plain name/,
      );
      // A run note left in the lake with such a run id is left as it is, never settled into a file.
      const { lake, store } = lakeWithOutside();
      mkdirSync(join(lake, '_pending_runs'));
      writeFileSync(
        join(lake, '_pending_runs', 'planted.json'),
        JSON.stringify({ runId, collectedAt: '2026-07-16T05:00:00Z', places: ['POI001'] }),
      );
      const log = new MemoryLog();
      assert.deepEqual(await settlePendingRuns(store, log), []);
      assert.deepEqual(await store.list('collection_outcomes/'), []);
      assert.ok(existsSync(join(lake, '_pending_runs', 'planted.json')));
    });
  }
});
