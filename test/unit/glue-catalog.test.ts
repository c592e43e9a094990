import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchCreatePartitionCommand, GetTableCommand } from '@aws-sdk/client-glue';
import { GlueCatalog } from '../../lambdas/core/catalog/glue-catalog.js';
import { StorageError } from '../../lambdas/core/errors.js';
import { PARTITION_KEYS, type PartitionValues } from '../../lambdas/core/schema.js';

const TABLE_DESCRIPTOR = {
  Location: 's3://lake-bucket/prefix/population/',
  Columns: [{ Name: 'area_code', Type: 'string' }],
  InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
};

type Answer = (input: { PartitionInputList: { Values: string[] }[] }) => { Errors?: unknown[] };

function fakeGlue(answer: Answer = () => ({})) {
  const calls: { name: string; input: Record<string, unknown> }[] = [];
  return {
    calls,
    send: async (command: unknown) => {
      if (command instanceof GetTableCommand) {
        calls.push({ name: 'GetTable', input: command.input as unknown as Record<string, unknown> });
        return { Table: { Name: command.input.Name, StorageDescriptor: TABLE_DESCRIPTOR } };
      }
      if (command instanceof BatchCreatePartitionCommand) {
        calls.push({
          name: 'BatchCreatePartition',
          input: command.input as unknown as Record<string, unknown>,
        });
        return answer(command.input as never);
      }
      throw new Error('unexpected command');
    },
  };
}

const minute = (index: number): PartitionValues => ({
  year: '2026',
  month: '07',
  day: String(1 + Math.floor(index / 72)).padStart(2, '0'),
  hour: String(Math.floor((index % 72) / 3)).padStart(2, '0'),
  minute: String((index % 3) * 20).padStart(2, '0'),
});

describe('Glue partition catalog', () => {
  it("registers each partition with the table's storage descriptor and its own S3 folder", async () => {
    const glue = fakeGlue();
    await new GlueCatalog(glue as never, 'seoul').registerPartitions('population', [minute(0)]);
    const batch = glue.calls.find((call) => call.name === 'BatchCreatePartition')?.input as {
      DatabaseName: string;
      TableName: string;
      PartitionInputList: { Values: string[]; StorageDescriptor: typeof TABLE_DESCRIPTOR }[];
    };
    assert.equal(batch.DatabaseName, 'seoul');
    assert.equal(batch.TableName, 'population');
    assert.deepEqual(batch.PartitionInputList, [
      {
        Values: ['2026', '07', '01', '00', '00'],
        StorageDescriptor: {
          ...TABLE_DESCRIPTOR,
          Location: 's3://lake-bucket/prefix/population/year=2026/month=07/day=01/hour=00/minute=00/',
        },
      },
    ]);
    assert.equal(PARTITION_KEYS.length, batch.PartitionInputList[0]?.Values.length);
  });

  it('sends at most 100 partitions per call and reads the table once', async () => {
    const glue = fakeGlue();
    const catalog = new GlueCatalog(glue as never, 'seoul');
    await catalog.registerPartitions(
      'population',
      Array.from({ length: 250 }, (_, i) => minute(i)),
    );
    await catalog.registerPartitions('population', [minute(0)]);
    const sizes = glue.calls
      .filter((call) => call.name === 'BatchCreatePartition')
      .map((call) => (call.input.PartitionInputList as unknown[]).length);
    assert.deepEqual(sizes, [100, 100, 50, 1]);
    assert.equal(glue.calls.filter((call) => call.name === 'GetTable').length, 1);
  });

  it('takes "already exists" as success', async () => {
    const glue = fakeGlue(({ PartitionInputList }) => ({
      Errors: PartitionInputList.map((p) => ({
        PartitionValues: p.Values,
        ErrorDetail: { ErrorCode: 'AlreadyExistsException', ErrorMessage: 'Partition already exists.' },
      })),
    }));
    await new GlueCatalog(glue as never, 'seoul').registerPartitions('population_forecast', [
      minute(1),
      minute(2),
    ]);
  });

  it('throws any other refusal, naming the partition and the reason', async () => {
    const glue = fakeGlue(({ PartitionInputList }) => ({
      Errors: [
        {
          PartitionValues: PartitionInputList[0]?.Values,
          ErrorDetail: { ErrorCode: 'AlreadyExistsException', ErrorMessage: 'exists' },
        },
        {
          PartitionValues: PartitionInputList[1]?.Values,
          ErrorDetail: { ErrorCode: 'ResourceNumberLimitExceededException', ErrorMessage: 'too many' },
        },
      ],
    }));
    await assert.rejects(
      new GlueCatalog(glue as never, 'seoul').registerPartitions('population', [minute(0), minute(1)]),
      (error: unknown) =>
        error instanceof StorageError &&
        /glue refused 1 partition\(s\) of seoul\.population: 2026\/07\/01\/00\/20: ResourceNumberLimitExceededException too many/.test(
          error.message,
        ),
    );
  });
});
