import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMskEvent, encodeMskEvent, MskEventError } from '../../lambdas/core/msk-event.js';
import type { SourceRecord } from '../../lambdas/core/source-record.js';

/** The example event of the Lambda developer guide, "Using Lambda with Amazon MSK", verbatim. */
const AWS_DOCUMENTATION_EXAMPLE = {
  eventSource: 'aws:kafka',
  eventSourceArn:
    'arn:aws:kafka:us-east-1:123456789012:cluster/vpc-2priv-2pub/751d2973-a626-431c-9d4e-d7975eb44dd7-2',
  bootstrapServers:
    'b-2.demo-cluster-1.a1bcde.c1.kafka.us-east-1.amazonaws.com:9092,b-1.demo-cluster-1.a1bcde.c1.kafka.us-east-1.amazonaws.com:9092',
  records: {
    'mytopic-0': [
      {
        topic: 'mytopic',
        partition: 0,
        offset: 15,
        timestamp: 1545084650987,
        timestampType: 'CREATE_TIME',
        key: 'abcDEFghiJKLmnoPQRstuVWXyz1234==',
        value: 'SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==',
        headers: [{ headerKey: [104, 101, 97, 100, 101, 114, 86, 97, 108, 117, 101] }],
      },
    ],
  },
};

describe('MSK event decoder', () => {
  it('decodes the AWS documentation example into one source record', () => {
    const records = decodeMskEvent(AWS_DOCUMENTATION_EXAMPLE);
    assert.equal(records.length, 1);
    const [record] = records as [SourceRecord];
    assert.equal(record.topic, 'mytopic');
    assert.equal(record.partition, 0);
    assert.equal(record.offset, 15);
    assert.equal(record.timestamp, 1545084650987);
    assert.equal(record.value?.toString('utf8'), 'Hello, this is a test.');
    assert.deepEqual(record.key, Buffer.from('abcDEFghiJKLmnoPQRstuVWXyz1234==', 'base64'));
    assert.deepEqual(record.headers, { headerKey: 'headerValue' });
  });

  it('returns the records of every topic-partition, each partition in offset order', () => {
    const record = (partition: number, offset: number) => ({
      topic: 'seoul.citydata_ppltn',
      partition,
      offset,
      timestamp: 1_700_000_000_000 + offset,
      timestampType: 'CREATE_TIME',
      value: Buffer.from(`p${partition}o${offset}`).toString('base64'),
      headers: [],
    });
    const records = decodeMskEvent({
      eventSource: 'aws:kafka',
      eventSourceArn: 'arn:aws:kafka:ap-northeast-2:123456789012:cluster/c/1',
      records: {
        'seoul.citydata_ppltn-1': [record(1, 8), record(1, 7)],
        'seoul.citydata_ppltn-0': [record(0, 3), record(0, 4), record(0, 5)],
      },
    });
    assert.deepEqual(
      records.map((r) => `${r.partition}:${r.offset}:${r.value?.toString()}`),
      ['1:7:p1o7', '1:8:p1o8', '0:3:p0o3', '0:4:p0o4', '0:5:p0o5'],
    );
    assert.equal(records[0]?.key, null, 'a record without a key decodes with key null');
  });

  it('accepts a partition given as a string, as some documented examples show it', () => {
    const record = { ...AWS_DOCUMENTATION_EXAMPLE.records['mytopic-0'][0], partition: '0' };
    const event = { ...AWS_DOCUMENTATION_EXAMPLE, records: { 'mytopic-0': [record] } };
    assert.equal(decodeMskEvent(event)[0]?.partition, 0);
  });

  it('round-trips records through the emulator encoding, headers and null values included', () => {
    const original: SourceRecord[] = [
      {
        topic: 't',
        partition: 2,
        offset: 40,
        timestamp: 5,
        key: Buffer.from('POI001'),
        value: Buffer.from('{"a":1}'),
        headers: { runId: 'r-1', schemaVersion: '1' },
      },
      { topic: 't', partition: 2, offset: 41, timestamp: 6, key: null, value: null, headers: {} },
      {
        topic: 't',
        partition: 0,
        offset: 9,
        timestamp: 7,
        key: Buffer.from('키'),
        value: Buffer.from([0xff, 0x00]),
        headers: { 이름: '값' },
      },
    ];
    const event = encodeMskEvent(original, { eventSourceArn: 'arn:aws:kafka:local:0:cluster/x/y' });
    assert.deepEqual(Object.keys(event.records).sort(), ['t-0', 't-2']);
    assert.equal('key' in (event.records['t-2']?.[1] ?? {}), false, 'a record without key has no key field');
    const decoded = decodeMskEvent(JSON.parse(JSON.stringify(event)));
    const byOffset = (records: readonly SourceRecord[]) => [...records].sort((a, b) => a.offset - b.offset);
    assert.deepEqual(byOffset(decoded), byOffset(original));
  });

  it('refuses what is not an MSK event, saying what is wrong', () => {
    const cases: [unknown, RegExp][] = [
      [null, /not an object/],
      [{ ...AWS_DOCUMENTATION_EXAMPLE, eventSource: 'aws:sqs' }, /eventSource is "aws:sqs"/],
      [{ eventSource: 'aws:kafka', records: [] }, /records is not an object/],
      [
        {
          eventSource: 'aws:kafka',
          records: { 't-0': [{ topic: 't', partition: 0, offset: -1, headers: [] }] },
        },
        /offset is not a whole number/,
      ],
      [
        {
          eventSource: 'aws:kafka',
          records: { 't-0': [{ topic: 't', partition: 0, offset: 1, value: 'not base64!', headers: [] }] },
        },
        /value is not base64/,
      ],
      [
        {
          eventSource: 'aws:kafka',
          records: { 't-0': [{ topic: 't', partition: 0, offset: 1, headers: [{ h: [300] }] }] },
        },
        /headers\.h is not an array of bytes/,
      ],
    ];
    for (const [event, message] of cases) {
      assert.throws(
        () => decodeMskEvent(event),
        (error: unknown) => error instanceof MskEventError && message.test(error.message),
      );
    }
  });
});
