import { S3Client } from '@aws-sdk/client-s3';
import { LocalFolderStore } from '../../core/storage/local-folder-store.js';
import type { ObjectStore } from '../../core/storage/object-store.js';
import { S3ObjectStore } from '../../core/storage/s3-store.js';

/**
 * Where a lake is, as plain data: it crosses into worker threads, which open their own store
 * (an S3 client with the default credential chain, or the folder).
 */
export type LakeLocation =
  | { readonly kind: 'folder'; readonly path: string }
  | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string };

export function openStore(location: LakeLocation): ObjectStore {
  return location.kind === 'folder'
    ? new LocalFolderStore(location.path)
    : new S3ObjectStore(new S3Client({}), location.bucket, location.prefix);
}
