import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type AlarmDefinition, alarmDefinition, alarmState, type DataPoint } from '../support/alarm-model.js';
import { synthesize } from './support/synth.js';
import { resourceById } from './support/template-queries.js';

/**
 * The missed-run alarm of the synthesized template, run on a simulated clock with the CloudWatch
 * model of test/support/alarm-model.ts: slots fire on the schedule (EventBridge `TriggeredRules`,
 * published within two minutes); each run records `Runs` stamped with its slot when it ends (1 s
 * to 3 min after the slot, the fetcher's limit), and CloudWatch has it up to three minutes later
 * (EMF from the log). `stampAtEnd` models a fetcher that records the run when it ends instead.
 */
const { pipeline } = synthesize();
const [, missedRunAlarm] = resourceById(pipeline, 'AWS::CloudWatch::Alarm', 'ObservabilityMissedRunAlarm');
const alarm = alarmDefinition(missedRunAlarm.Properties);
const PERIOD = alarm.periodSeconds;
const DAY = 24 * 3600;

interface Schedule {
  /** When the pipeline stack finished deploying (seconds after a slot). */
  readonly deployedAt: number;
  /** Per slot: the run's duration and the two publication delays, in seconds. */
  readonly runs: readonly {
    readonly duration: number;
    readonly emfDelay: number;
    readonly eventsDelay: number;
  }[];
  /** Slots at or after this time get no run (the collector stopped). */
  readonly stopsAt?: number;
  /** Record each run at its end rather than at its slot. */
  readonly stampAtEnd?: boolean;
}

/** The metric data points the schedule produces, slot after slot from the deploy on. */
function dataPoints(schedule: Schedule): DataPoint[] {
  const points: DataPoint[] = [];
  const firstSlot = Math.ceil(schedule.deployedAt / PERIOD) * PERIOD;
  schedule.runs.forEach((run, index) => {
    const slot = firstSlot + index * PERIOD;
    points.push({ id: 'slots', at: slot, visibleAt: slot + run.eventsDelay, value: 1 });
    if (schedule.stopsAt !== undefined && slot >= schedule.stopsAt) return;
    const ended = slot + run.duration;
    points.push({
      id: 'runs',
      at: schedule.stampAtEnd ? ended : slot,
      visibleAt: ended + run.emfDelay,
      value: 1,
    });
  });
  return points;
}

/** Alarm states evaluated every minute from `from` to `to`. */
function statesBetween(definition: AlarmDefinition, points: DataPoint[], from: number, to: number) {
  const states: { at: number; state: string }[] = [];
  for (let now = Math.ceil(from / 60) * 60; now <= to; now += 60) {
    states.push({ at: now, state: alarmState(definition, points, now) });
  }
  return states;
}

const run = fc.record({
  duration: fc.integer({ min: 1, max: 180 }),
  emfDelay: fc.integer({ min: 5, max: 180 }),
  eventsDelay: fc.integer({ min: 0, max: 120 }),
});
const deployedAt = fc.integer({ min: 1, max: 3 * PERIOD });

describe('the missed-run alarm, evaluated on a simulated clock', () => {
  it('reads the definition of the template: slots minus runs per run interval, two of three periods', () => {
    assert.equal(alarm.expression, 'FILL(slots, 0) - FILL(runs, 0)');
    assert.deepEqual([...alarm.metricIds].sort(), ['runs', 'slots']);
    assert.equal(PERIOD, 1200);
  });

  it('stays OK from the deploy to the first slot, and while every slot gets its run, whatever the timing', () => {
    fc.assert(
      fc.property(deployedAt, fc.array(run, { minLength: 80, maxLength: 80 }), (deployed, runs) => {
        const points = dataPoints({ deployedAt: deployed, runs });
        const end = deployed + runs.length * PERIOD;
        const alarms = statesBetween(alarm, points, deployed, end).filter((s) => s.state === 'ALARM');
        assert.deepEqual(alarms.slice(0, 1), [], `deployed at ${deployed}`);
      }),
      { numRuns: 40 },
    );
  });

  it('fires within one run interval and five minutes of the second slot without a run, and stays in ALARM', () => {
    fc.assert(
      fc.property(
        deployedAt,
        fc.array(run, { minLength: 40, maxLength: 40 }),
        fc.integer({ min: 2, max: 30 }),
        (deployed, runs, stopSlot) => {
          const firstSlot = Math.ceil(deployed / PERIOD) * PERIOD;
          const stopsAt = firstSlot + stopSlot * PERIOD;
          const points = dataPoints({ deployedAt: deployed, runs, stopsAt });
          const before = statesBetween(alarm, points, deployed, stopsAt);
          assert.ok(
            before.every((s) => s.state === 'OK'),
            'OK while runs happen',
          );
          const firing = stopsAt + PERIOD + 5 * 60;
          const after = statesBetween(alarm, points, firing, firstSlot + runs.length * PERIOD);
          assert.ok(after.length > 0);
          assert.ok(
            after.every((s) => s.state === 'ALARM'),
            `in ALARM from ${firing - stopsAt} s after the first missed slot`,
          );
        },
      ),
      { numRuns: 40 },
    );
  });

  it('needs the slot stamp: runs recorded at their end, near a period boundary, would look missed', () => {
    // A slow run (its slot in one period, its end in the next), a fast one, then a slot whose run
    // is not published yet: two of three periods show a slot without a run.
    const runs = [
      { duration: 170, emfDelay: 5, eventsDelay: 0 },
      { duration: 5, emfDelay: 5, eventsDelay: 0 },
      { duration: 170, emfDelay: 5, eventsDelay: 0 },
    ];
    const slot0 = PERIOD;
    const now = slot0 + 2 * PERIOD + 120;
    const late = dataPoints({ deployedAt: 1, runs, stampAtEnd: true });
    assert.equal(alarmState(alarm, late, now), 'ALARM', 'the model sees the false alarm');
    assert.equal(alarmState(alarm, dataPoints({ deployedAt: 1, runs }), now), 'OK');
  });

  it('the model tells the old definition apart: "no Runs, missing data breaching" fired at once after the deploy', () => {
    const old: AlarmDefinition = {
      periodSeconds: PERIOD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      threshold: 1,
      comparison: 'LessThanThreshold',
      treatMissingData: 'breaching',
      expression: 'runs',
      metricIds: ['runs'],
    };
    const deployed = 300;
    const points = dataPoints({
      deployedAt: deployed,
      runs: [{ duration: 30, emfDelay: 60, eventsDelay: 0 }],
    });
    assert.equal(alarmState(old, points, deployed + 60), 'ALARM');
    assert.equal(alarmState(alarm, points, deployed + 60), 'OK');
    assert.equal(
      alarmState(alarm, points, deployed + DAY),
      'OK',
      'a single slot with its run: nothing missed',
    );
  });
});
