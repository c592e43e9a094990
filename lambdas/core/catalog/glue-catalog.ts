import {
  BatchCreatePartitionCommand,
  GetTableCommand,
  type GlueClient,
  type PartitionInput,
  type StorageDescriptor,
} from '@aws-sdk/client-glue';
import { StorageError } from '../errors.js';
import { partitionPath } from '../lake/partitions.js';
import type { Log } from '../logger.js';
import { PARTITION_KEYS, type PartitionValues } from '../schema.js';
import type { TableName } from '../tables.js';
import type { PartitionCatalog } from './partition-catalog.js';

/** Glue's limit of partitions per BatchCreatePartition call. */
export const GLUE_BATCH_LIMIT = 100;

/**
 * Registers lake partitions in the Glue Data Catalog as they are written, so a run is queryable
 * (Athena, Redshift Spectrum) at once rather than at the crawler's next pass. Each partition
 * gets the table's storage descriptor (columns, formats, SerDe) with its own S3 folder as
 * location; "already exists" is success, so a redelivered batch registers nothing twice. Any other
 * failure throws, so the writer fails and the batch is delivered again.
 */
export class GlueCatalog implements PartitionCatalog {
  private readonly tables = new Map<TableName, Promise<StorageDescriptor>>();

  constructor(
    private readonly glue: Pick<GlueClient, 'send'>,
    private readonly database: string,
    private readonly log?: Log,
  ) {}

  async registerPartitions(table: TableName, partitions: readonly PartitionValues[]): Promise<void> {
    if (partitions.length === 0) return;
    const descriptor = await this.tableDescriptor(table);
    const inputs = partitions.map((values) => partitionInput(descriptor, values));
    let created = 0;
    for (let start = 0; start < inputs.length; start += GLUE_BATCH_LIMIT) {
      const chunk = inputs.slice(start, start + GLUE_BATCH_LIMIT);
      const answer = await this.glue.send(
        new BatchCreatePartitionCommand({
          DatabaseName: this.database,
          TableName: table,
          PartitionInputList: chunk,
        }),
      );
      const errors = answer.Errors ?? [];
      const failures = errors.filter((error) => error.ErrorDetail?.ErrorCode !== 'AlreadyExistsException');
      if (failures.length > 0) {
        const detail = failures
          .map((f) =>
            `${(f.PartitionValues ?? []).join('/')}: ${f.ErrorDetail?.ErrorCode} ${f.ErrorDetail?.ErrorMessage ?? ''}`.trim(),
          )
          .join('; ');
        throw new StorageError(
          `glue refused ${failures.length} partition(s) of ${this.database}.${table}: ${detail}`,
        );
      }
      created += chunk.length - errors.length;
    }
    this.log?.info('partitions registered', { table, asked: partitions.length, created });
  }

  /** The table's storage descriptor, read once per container and table. */
  private tableDescriptor(table: TableName): Promise<StorageDescriptor> {
    let descriptor = this.tables.get(table);
    if (!descriptor) {
      descriptor = this.glue
        .send(new GetTableCommand({ DatabaseName: this.database, Name: table }))
        .then((answer) => {
          const found = answer.Table?.StorageDescriptor;
          if (!found?.Location) {
            throw new StorageError(`glue table ${this.database}.${table} has no storage location`);
          }
          return found;
        });
      this.tables.set(table, descriptor);
      descriptor.catch(() => this.tables.delete(table));
    }
    return descriptor;
  }
}

/** `s3://bucket/prefix/population/` + `year=…/…/minute=…/`, with the table's formats and columns. */
function partitionInput(table: StorageDescriptor, values: PartitionValues): PartitionInput {
  const base = (table.Location as string).replace(/\/+$/, '');
  return {
    Values: PARTITION_KEYS.map((key) => values[key]),
    StorageDescriptor: { ...table, Location: `${base}/${partitionPath(values)}/` },
  };
}
