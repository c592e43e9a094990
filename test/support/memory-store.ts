import type { ObjectStore } from '../../lambdas/core/storage/object-store.js';

/** An object store in memory: benchmarks measure encoding and delivery, not the disk. */
export class MemoryStore implements ObjectStore {
  readonly location = 'memory:';
  bytes = 0;
  readonly files = new Map<string, Buffer>();
  async put(key: string, body: Buffer) {
    this.files.set(key, body);
    this.bytes += body.length;
  }
  async get(key: string) {
    return this.files.get(key) as Buffer;
  }
  async delete(key: string) {
    this.files.delete(key);
  }
  async list(prefix: string) {
    return [...this.files.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
}
