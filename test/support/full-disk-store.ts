import { StorageError } from '../../lambdas/core/errors.js';
import type { ObjectStore } from '../../lambdas/core/storage/object-store.js';

/**
 * A store whose disk can fill up: while `full` says so for a key, writes fail exactly as the local
 * folder store's do on a full disk (a StorageError caused by ENOSPC). Reads and listings still
 * work, as they do on a real full disk.
 */
export class FullDiskStore implements ObjectStore {
  /** Decides, per key, whether the disk is full now. */
  full: (key: string) => boolean = () => false;
  readonly location: string;

  constructor(private readonly inner: ObjectStore) {
    this.location = inner.location;
  }

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    if (this.full(key)) {
      const cause = Object.assign(new Error('ENOSPC: no space left on device, write'), {
        code: 'ENOSPC',
        errno: -28,
      });
      throw new StorageError(`cannot write ${this.location}/${key}: ${cause.message}`, { cause });
    }
    await this.inner.put(key, body, contentType);
  }

  get(key: string): Promise<Buffer> {
    return this.inner.get(key);
  }

  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }

  list(prefix: string): Promise<string[]> {
    return this.inner.list(prefix);
  }
}
