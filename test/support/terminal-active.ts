/**
 * The test's own list of what a terminal could act on, written apart from lambdas/core/printable.ts:
 * C0 controls but the line break, DEL and C1 controls, the soft hyphen, bidirectional marks,
 * overrides and isolates, zero-width and invisible characters, line and paragraph separators.
 */
export const ACTIVE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/;
