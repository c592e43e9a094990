import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { StorageError } from '../errors.js';
import { assertSafeKey, type ForeignEntry, unsafeKeyReason } from './lake-keys.js';
import type { GetOptions, ObjectStore } from './object-store.js';

/**
 * The lake as an S3 bucket (optionally under a prefix). Same keys as the local folder.
 *
 * Containment in S3: there are no links, and "outside the lake" is any key not under the lake's
 * prefix. Every key the store builds is the prefix plus a key that follows the one rule of
 * lake-keys.ts (no empty, `.` or `..` parts): such a key cannot leave the prefix here, nor once it
 * is copied to a local disk (check copies an S3 lake into a temporary folder). Keys in the bucket
 * that break the rule (someone else wrote them) are never listed as lake keys; `listForeign` names
 * them, with the zero-byte "folder" objects that consoles create (key ending in `/`), which are skipped.
 */
export class S3ObjectStore implements ObjectStore {
  readonly location: string;
  private readonly prefix: string;

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    prefix = '',
  ) {
    this.prefix = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
    this.location = `s3://${bucket}/${this.prefix}`;
  }

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    assertSafeKey(key);
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.prefix + key,
          Body: body,
          ContentType: contentType,
        }),
      );
    } catch (error) {
      throw new StorageError(`cannot write ${this.location}${key}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  async get(key: string, options: GetOptions = {}): Promise<Buffer> {
    assertSafeKey(key);
    try {
      const answer = await this.s3.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }),
      );
      const size = answer.ContentLength;
      const tooLarge = (bytes: number) =>
        new StorageError(`${bytes} bytes, over the limit of ${options.maxBytes} for this file`);
      if (options.maxBytes !== undefined && size !== undefined && size > options.maxBytes) {
        // Not read: the connection is let go instead of draining an object of any size.
        (answer.Body as { destroy?: () => void } | undefined)?.destroy?.();
        throw tooLarge(size);
      }
      const body = Buffer.from(
        await (answer.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
      );
      if (options.maxBytes !== undefined && body.length > options.maxBytes) throw tooLarge(body.length);
      return body;
    } catch (error) {
      throw new StorageError(`cannot read ${this.location}${key}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  async delete(key: string): Promise<void> {
    assertSafeKey(key);
    try {
      await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
    } catch (error) {
      throw new StorageError(`cannot remove ${this.location}${key}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  async listFolders(prefix: string): Promise<string[]> {
    const folders: string[] = [];
    for await (const page of this.pages(prefix, '/'))
      for (const common of page.CommonPrefixes ?? [])
        if (common.Prefix)
          folders.push(common.Prefix.slice(this.prefix.length + prefix.length).replace(/\/$/, ''));
    return folders.sort();
  }

  async list(prefix: string): Promise<string[]> {
    return (await this.allKeys(prefix)).filter((key) => !key.endsWith('/') && !unsafeKeyReason(key));
  }

  async listForeign(prefix: string): Promise<ForeignEntry[]> {
    return (await this.allKeys(prefix))
      .filter((key) => !key.endsWith('/') && unsafeKeyReason(key))
      .map((key) => ({ key, what: `a key the lake never reads (${unsafeKeyReason(key)})` }));
  }

  private async allKeys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    for await (const page of this.pages(prefix))
      for (const item of page.Contents ?? []) if (item.Key) keys.push(item.Key.slice(this.prefix.length));
    return keys.sort();
  }

  /** Every page of a listing under `prefix` (grouped by `delimiter` when given). */
  private async *pages(prefix: string, delimiter?: string): AsyncGenerator<ListObjectsV2CommandOutput> {
    let token: string | undefined;
    try {
      do {
        const page = await this.s3.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: this.prefix + prefix,
            Delimiter: delimiter,
            ContinuationToken: token,
          }),
        );
        yield page;
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (error) {
      throw new StorageError(`cannot list ${this.location}${prefix}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}
