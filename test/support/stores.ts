import { StorageError } from '../../lambdas/core/errors.js';
import type { ObjectStore } from '../../lambdas/core/storage/object-store.js';

/** Wraps a store and fails the n-th put (1-based) and every later one while `failing` is true. */
export class FailingStore implements ObjectStore {
  puts = 0;
  failing = true;
  constructor(
    private readonly inner: ObjectStore,
    private readonly failAtPut: number,
  ) {}
  get location() {
    return this.inner.location;
  }
  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    this.puts++;
    if (this.failing && this.puts >= this.failAtPut)
      throw new StorageError(`injected failure writing ${key}`);
    await this.inner.put(key, body, contentType);
  }
  get(key: string) {
    return this.inner.get(key);
  }
  delete(key: string) {
    return this.inner.delete(key);
  }
  list(prefix: string) {
    return this.inner.list(prefix);
  }
}
