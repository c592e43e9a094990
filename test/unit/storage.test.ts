import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { NO_CATALOG } from '../../lambdas/core/catalog/partition-catalog.js';
import { StorageError } from '../../lambdas/core/errors.js';
import { LocalFolderStore } from '../../lambdas/core/storage/local-folder-store.js';
import { S3ObjectStore } from '../../lambdas/core/storage/s3-store.js';
import { writeBatch } from '../../lambdas/core/writers/lake-writer.js';
import { envelopeFor, sampleRecord, sourceRecords } from '../support/envelopes.js';
import { SAMPLES } from '../support/fixtures.js';
import { MemoryLog } from '../support/memory-log.js';

/** An in-memory stand-in for S3 that answers the three commands the store sends, one page of 2 keys at a time. */
class FakeS3 {
  readonly objects = new Map<string, { body: Buffer; contentType?: string }>();
  readonly sent: string[] = [];
  async send(command: unknown): Promise<unknown> {
    if (command instanceof PutObjectCommand) {
      const { Bucket, Key, Body, ContentType } = command.input;
      this.sent.push(`put ${Bucket}/${Key}`);
      this.objects.set(Key as string, { body: Buffer.from(Body as Buffer), contentType: ContentType });
      return {};
    }
    if (command instanceof GetObjectCommand) {
      const object = this.objects.get(command.input.Key as string);
      if (!object) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
      return { Body: { transformToByteArray: async () => new Uint8Array(object.body) } };
    }
    if (command instanceof ListObjectsV2Command) {
      const { Prefix = '', Delimiter, ContinuationToken } = command.input;
      const keys = [...this.objects.keys()].filter((k) => k.startsWith(Prefix)).sort();
      // With a delimiter S3 answers the distinct "folders" below the prefix instead of the keys.
      const folders = Delimiter
        ? [...new Set(keys.map((k) => Prefix + k.slice(Prefix.length).split(Delimiter)[0] + Delimiter))]
        : [];
      const items = Delimiter ? folders : keys;
      const start = Number(ContinuationToken ?? 0);
      const page = items.slice(start, start + 2);
      const more = start + 2 < items.length;
      return {
        ...(Delimiter
          ? { CommonPrefixes: page.map((p) => ({ Prefix: p })) }
          : { Contents: page.map((Key) => ({ Key })) }),
        IsTruncated: more,
        NextContinuationToken: more ? String(start + 2) : undefined,
      };
    }
    throw new Error('unexpected command');
  }
}

describe('object stores', () => {
  it('write the very same keys for the same batch, in a folder and in S3', async () => {
    const folder = new LocalFolderStore(mkdtempSync(join(tmpdir(), 'store-')));
    const s3 = new FakeS3();
    const bucket = new S3ObjectStore(s3 as unknown as S3Client, 'lake-bucket', 'seoul');
    const batch = sourceRecords([envelopeFor(sampleRecord(SAMPLES.yeouido)), 'poison']);
    const deps = { catalog: NO_CATALOG, log: new MemoryLog() };
    const local = await writeBatch(batch, { ...deps, store: folder });
    const remote = await writeBatch(batch, { ...deps, store: bucket });
    assert.deepEqual(remote.files, local.files);
    assert.deepEqual(await bucket.list(''), await folder.list(''));
    assert.equal((await folder.list('')).length, 4);
    assert.deepEqual(s3.sent.slice(0, 1), [`put lake-bucket/seoul/${local.files[0]}`]);
    // The archive is written first (gzip JSON lines), the tables after it (Parquet).
    assert.equal(s3.objects.get(`seoul/${local.files[0]}`)?.contentType, 'application/gzip');
    const parquet = local.files.find((key) => key.endsWith('.parquet')) as string;
    assert.equal(s3.objects.get(`seoul/${parquet}`)?.contentType, 'application/vnd.apache.parquet');
    assert.deepEqual(await bucket.get(local.files[2] as string), await folder.get(local.files[2] as string));
  });

  it('lists keys under a prefix, across S3 result pages', async () => {
    const bucket = new S3ObjectStore(new FakeS3() as unknown as S3Client, 'b');
    for (const key of ['raw/a.gz', 'raw/b.gz', 'raw/c.gz', 'population/x.parquet'])
      await bucket.put(key, Buffer.from(key), 'x');
    assert.deepEqual(await bucket.list('raw/'), ['raw/a.gz', 'raw/b.gz', 'raw/c.gz']);
    assert.equal(bucket.location, 's3://b/');
  });

  it('lists the folders under a prefix, across S3 result pages, as the local folder does', async () => {
    const bucket = new S3ObjectStore(new FakeS3() as unknown as S3Client, 'b', 'seoul');
    const folder = new LocalFolderStore(mkdtempSync(join(tmpdir(), 'store-')));
    for (const store of [bucket, folder])
      for (const minute of ['00', '20', '40'])
        for (const name of ['a', 'b'])
          await store.put(
            `population/year=2026/month=11/day=30/hour=09/minute=${minute}/${name}.parquet`,
            Buffer.from(name),
            'x',
          );
    const prefix = 'population/year=2026/month=11/day=30/hour=09/';
    assert.deepEqual(await bucket.listFolders(prefix), ['minute=00', 'minute=20', 'minute=40']);
    assert.deepEqual(await bucket.listFolders(prefix), await folder.listFolders(prefix));
  });

  it('turns S3 failures into storage errors that name the object', async () => {
    const failing = { send: async () => Promise.reject(new Error('SlowDown')) } as unknown as S3Client;
    await assert.rejects(new S3ObjectStore(failing, 'b').put('raw/x.gz', Buffer.from(''), 'x'), {
      name: 'StorageError',
      message: 'cannot write s3://b/raw/x.gz: SlowDown',
    });
  });

  it('replaces a file in one step and leaves no temporary file behind', async () => {
    const root = mkdtempSync(join(tmpdir(), 'store-'));
    const store = new LocalFolderStore(root);
    await store.put('a/b/c.parquet', Buffer.from('one'), 'x');
    await store.put('a/b/c.parquet', Buffer.from('two'), 'x');
    assert.equal((await store.get('a/b/c.parquet')).toString(), 'two');
    assert.deepEqual(readdirSync(join(root, 'a/b')), ['c.parquet']);
  });

  it('refuses keys that would escape the lake folder', async () => {
    const store = new LocalFolderStore(mkdtempSync(join(tmpdir(), 'store-')));
    await assert.rejects(store.put('../outside.parquet', Buffer.from(''), 'x'), StorageError);
  });

  it('lists nothing, rather than failing, in a lake that does not exist yet', async () => {
    assert.deepEqual(
      await new LocalFolderStore(join(tmpdir(), 'does-not-exist-8c1f')).list('population/'),
      [],
    );
  });
});
