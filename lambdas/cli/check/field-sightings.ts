import { fieldsOf } from '../../core/datasets/dataset.js';
import { datasetOf } from '../../core/datasets/registry.js';
import type { Envelope } from '../../core/envelope.js';
import { answerDrift } from '../../core/field-drift.js';

/** A field the API sent that no table of its dataset holds, and when it was seen in raw/. */
export interface UnreadField {
  readonly dataset: string;
  readonly field: string;
  /** Answers of raw/ that carried it. */
  readonly answers: number;
  /** Collection times (ms) of the first and last answer that carried it. */
  readonly firstMs: number;
  readonly lastMs: number;
}

/** Fields counted at most: a hostile archive of a million made-up names stays a bounded report. */
const MAX_FIELDS = 200;

/**
 * The fields the answers archived in raw/ carry that the tables do not hold (API drift, as the
 * fetcher counts it per run), gathered while check reads raw/ anyway: per dataset and field, how
 * many answers and the first and last collection time. Adding a column for one and replaying
 * from its first sighting fills its history.
 */
export class FieldSightings {
  private readonly seen = new Map<
    string,
    { dataset: string; field: string; answers: number; firstMs: number; lastMs: number }
  >();
  private dropped = 0;

  add(envelope: Envelope): void {
    const dataset = datasetOf(envelope.dataset);
    if (!dataset) return;
    const collectedMs = Date.parse(envelope.collectedAt);
    for (const field of answerDrift(envelope.payload, fieldsOf(dataset)).unknown) {
      const id = `${dataset.service}\u0000${field}`;
      const known = this.seen.get(id);
      if (known) {
        known.answers += 1;
        known.firstMs = Math.min(known.firstMs, collectedMs);
        known.lastMs = Math.max(known.lastMs, collectedMs);
      } else if (this.seen.size < MAX_FIELDS) {
        this.seen.set(id, {
          dataset: dataset.service,
          field,
          answers: 1,
          firstMs: collectedMs,
          lastMs: collectedMs,
        });
      } else this.dropped += 1;
    }
  }

  /** By dataset, then by first sighting. */
  list(): { readonly fields: UnreadField[]; readonly notCounted: number } {
    const fields = [...this.seen.values()].sort(
      (a, b) => a.dataset.localeCompare(b.dataset) || a.firstMs - b.firstMs || a.field.localeCompare(b.field),
    );
    return { fields, notCounted: this.dropped };
  }
}
