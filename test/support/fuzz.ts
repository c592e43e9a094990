import fc from 'fast-check';

/**
 * The fuzzers' shared conventions. Each file has its own default seed, so CI runs the same cases
 * every time; `FUZZ_SEED=<seed> FUZZ_PATH=<path>` replays a failure and `FUZZ_RUNS` changes how many
 * cases a property gets.
 */
export function fuzzRun(defaultSeed: number, defaultRuns = 300) {
  const seed = Number(process.env.FUZZ_SEED ?? defaultSeed);
  const runs = Number(process.env.FUZZ_RUNS ?? defaultRuns);
  const settings = (numRuns = runs): fc.Parameters<unknown> => ({
    seed,
    numRuns,
    ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}),
    endOnFailure: true,
  });
  return { seed, runs, settings };
}

/**
 * Text a hostile server or a tampered lake can hold: any code point, with what drives a terminal
 * or fakes a line made likely (escape sequences, C1 CSI, line breaks, bidi marks, a fake summary).
 */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc
    .array(
      fc.oneof(
        fc.constantFrom(
          '\u001b[2J',
          '\u001b]0;owned\u0007',
          '\u009b1A',
          '\r',
          '\n',
          '\r\n',
          '\u202e',
          '\u2028',
          '\u0000',
          '\u007f',
          '\u00ad',
          '\ufeff',
          'places: 121 ok',
        ),
        fc.string({ unit: 'grapheme', maxLength: 4 }),
      ),
      { maxLength: 12 },
    )
    .map((parts) => parts.join('')),
);
