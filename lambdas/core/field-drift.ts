/**
 * API drift: the fields an answer carries compared with the fields the schema reads. The API adds
 * fields over the years (the 12-hour forecast, place codes…) and a new one would otherwise go
 * unnoticed: raw/ keeps it, but no table holds it. Each run counts the answers with a field the
 * schema does not read (unknown) and those without a field it reads (missing); `check` lists the
 * unknown fields found in raw/ with when each was first and last seen, so adding a column for one
 * and replaying fills its history.
 */

/**
 * What a dataset's normalizer reads from one answer: the record's fields, and for each field that
 * holds a list of objects (FCST_PPLTN), the fields read from each entry.
 */
export interface FieldsRead {
  readonly record: readonly string[];
  readonly lists: Readonly<Record<string, readonly string[]>>;
}

/** What one answer carries that is not read, and what it lacks that is: `FCST_PPLTN[].X` inside a list. */
export interface AnswerDrift {
  readonly unknown: readonly string[];
  readonly missing: readonly string[];
}

const present = (value: unknown) => value !== undefined && value !== null && value !== '';

/** Compares one answer's record (the envelope's payload) with what the schema reads. */
export function answerDrift(record: Readonly<Record<string, unknown>>, reads: FieldsRead): AnswerDrift {
  const known = new Set([...reads.record, ...Object.keys(reads.lists)]);
  const unknown = Object.keys(record).filter((field) => !known.has(field));
  const missing = [...known].filter((field) => !present(record[field]));
  for (const [list, fields] of Object.entries(reads.lists)) {
    const entries = record[list];
    if (!Array.isArray(entries)) continue;
    const inList = new Set(fields);
    const extra = new Set<string>();
    const lacking = new Set<string>();
    for (const entry of entries) {
      if (typeof entry !== 'object' || entry === null) continue;
      for (const field of Object.keys(entry)) if (!inList.has(field)) extra.add(field);
      for (const field of fields) if (!present((entry as Record<string, unknown>)[field])) lacking.add(field);
    }
    unknown.push(...[...extra].map((field) => `${list}[].${field}`));
    missing.push(...[...lacking].map((field) => `${list}[].${field}`));
  }
  return { unknown: unknown.sort(), missing: missing.sort() };
}

/** A run's drift: for each field, how many answers carried it unread (unknown) or lacked it (missing). */
export interface RunDrift {
  readonly answers: number;
  /** Answers with at least one field the schema does not read: the metric and its alarm. */
  readonly answersWithUnknown: number;
  /** Answers without at least one field the schema reads. */
  readonly answersWithMissing: number;
  readonly unknown: Readonly<Record<string, number>>;
  readonly missing: Readonly<Record<string, number>>;
}

export const NO_DRIFT: RunDrift = {
  answers: 0,
  answersWithUnknown: 0,
  answersWithMissing: 0,
  unknown: {},
  missing: {},
};

export function addDrift(total: RunDrift, answer: AnswerDrift): RunDrift {
  const count = (into: Readonly<Record<string, number>>, fields: readonly string[]) => {
    const next = { ...into };
    for (const field of fields) next[field] = (next[field] ?? 0) + 1;
    return next;
  };
  return {
    answers: total.answers + 1,
    answersWithUnknown: total.answersWithUnknown + (answer.unknown.length > 0 ? 1 : 0),
    answersWithMissing: total.answersWithMissing + (answer.missing.length > 0 ? 1 : 0),
    unknown: count(total.unknown, answer.unknown),
    missing: count(total.missing, answer.missing),
  };
}

/** Fields named in one line at most: an answer of any shape (a hostile one) stays one short line. */
const FIELDS_SHOWN = 5;
const NAME_SHOWN = 64;

/** `AREA_PPLTN_AVG in 121 of 121 answer(s), …`: the fields of one kind, most frequent first. */
export function describeFields(counts: Readonly<Record<string, number>>, answers: number): string {
  const sorted = Object.entries(counts).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  const named = sorted
    .slice(0, FIELDS_SHOWN)
    .map(
      ([field, n]) =>
        `${field.length > NAME_SHOWN ? `${field.slice(0, NAME_SHOWN)}…` : field} in ${n} of ${answers} answer(s)`,
    );
  const more = sorted.length - FIELDS_SHOWN;
  return [...named, ...(more > 0 ? [`and ${more} more field(s)`] : [])].join(', ');
}

/** At most `limit` fields of a count, most frequent first: what a log line carries. */
export function topFields(counts: Readonly<Record<string, number>>, limit = 20): Record<string, number> {
  return Object.fromEntries(
    Object.entries(counts)
      .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
      .slice(0, limit)
      .map(([field, n]) => [field.slice(0, NAME_SHOWN), n]),
  );
}
