import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { instantOfInt96, int96Timestamp } from '../../lambdas/core/lake/int96-timestamp.js';

/**
 * The INT96 layout Hive, Impala and Spark use: 8 bytes of nanoseconds within the day
 * (little-endian), then 4 bytes of Julian day number (little-endian). The Julian day numbers
 * below are worked out from the astronomical reference JDN(2000-01-01) = 2451545, not from the code.
 */
const bytes = (nanosOfDay: bigint, julianDay: number) => {
  const b = Buffer.alloc(12);
  b.writeBigUInt64LE(nanosOfDay, 0);
  b.writeUInt32LE(julianDay, 8);
  return b;
};

describe('INT96 timestamps', () => {
  const cases: [string, bigint, number][] = [
    ['2026-07-16T14:20:00.000Z', 51_600_000_000_000n, 2_461_238], // 14:20 = 51,600 s
    ['2026-07-16T00:00:00.000Z', 0n, 2_461_238],
    ['2026-07-16T23:59:59.999Z', 86_399_999_000_000n, 2_461_238],
    ['1970-01-01T00:00:00.000Z', 0n, 2_440_588],
    ['1969-12-31T23:59:59.999Z', 86_399_999_000_000n, 2_440_587], // before the epoch: the previous day
    ['2000-01-01T12:00:00.001Z', 43_200_001_000_000n, 2_451_545],
  ];

  for (const [iso, nanos, julian] of cases) {
    it(`encodes ${iso} as nanoseconds ${nanos} of Julian day ${julian}, and back`, () => {
      const encoded = int96Timestamp(new Date(iso));
      assert.deepEqual(encoded, bytes(nanos, julian));
      assert.equal(instantOfInt96(encoded).toISOString(), iso);
    });
  }

  it('refuses what is not an instant, and bytes that are not 12', () => {
    assert.throws(() => int96Timestamp(new Date('not a date')), /not a valid instant/);
    for (const length of [0, 8, 11, 13]) {
      assert.throws(() => instantOfInt96(Buffer.alloc(length)), /12 bytes/);
    }
  });
});
