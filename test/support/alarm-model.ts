/**
 * A small model of how CloudWatch evaluates a metric alarm, written from its documentation and
 * independent of the CDK code that builds the alarms, so that an alarm's definition read from a
 * synthesized template can be run against metric streams on a clock the test controls:
 *
 * - data points are stored per minute and become visible some time after they happen;
 * - the evaluation window is Period × EvaluationPeriods and slides with each evaluation
 *   ("Alarm evaluation window": the default sliding window);
 * - a period with no data point is missing, and TreatMissingData says how it counts
 *   ("Configuring how CloudWatch alarms treat missing data");
 * - in a math expression, FILL(m, v) gives m the value v where m has no data point but another
 *   metric of the expression has one; a period where none has one is missing
 *   ("Using metric math", FILL);
 * - the alarm goes to ALARM when at least DatapointsToAlarm of the periods breach.
 *
 * Times are in seconds from an origin of the test's choosing.
 */

export interface DataPoint {
  /** The metric id of the alarm definition this point belongs to. */
  readonly id: string;
  /** When it happened (its timestamp). */
  readonly at: number;
  /** When CloudWatch has it (publication and ingestion delays). */
  readonly visibleAt: number;
  readonly value: number;
}

export type Comparison =
  | 'GreaterThanOrEqualToThreshold'
  | 'GreaterThanThreshold'
  | 'LessThanThreshold'
  | 'LessThanOrEqualToThreshold';

export interface AlarmDefinition {
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly threshold: number;
  readonly comparison: Comparison;
  readonly treatMissingData: 'breaching' | 'notBreaching' | 'ignore' | 'missing';
  /** A math expression over the metric ids, or one metric id. */
  readonly expression: string;
  /** The ids of the metrics the expression reads. */
  readonly metricIds: readonly string[];
}

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** The definition of an `AWS::CloudWatch::Alarm` with `Metrics` (math) or a single metric. */
export function alarmDefinition(properties: Record<string, unknown>): AlarmDefinition {
  const metrics = properties.Metrics as
    | { Id: string; Expression?: string; MetricStat?: { Period: number } }[]
    | undefined;
  const common = {
    evaluationPeriods: Number(properties.EvaluationPeriods),
    datapointsToAlarm: Number(properties.DatapointsToAlarm ?? properties.EvaluationPeriods),
    threshold: Number(properties.Threshold),
    comparison: properties.ComparisonOperator as Comparison,
    treatMissingData: (properties.TreatMissingData ?? 'missing') as AlarmDefinition['treatMissingData'],
  };
  if (!metrics) {
    return {
      ...common,
      periodSeconds: Number(properties.Period),
      expression: 'metric',
      metricIds: ['metric'],
    };
  }
  const expression = metrics.find((m) => m.Expression !== undefined);
  const stats = metrics.filter((m) => m.MetricStat);
  const periods = new Set(stats.map((m) => m.MetricStat?.Period));
  if (!expression || periods.size !== 1)
    throw new Error('one expression over metrics of one period expected');
  return {
    ...common,
    periodSeconds: Number([...periods][0]),
    expression: expression.Expression as string,
    metricIds: stats.map((m) => m.Id),
  };
}

/** The state of the alarm when evaluated at `now`, with the data points visible then. */
export function alarmState(alarm: AlarmDefinition, points: readonly DataPoint[], now: number): AlarmState {
  const minute = (t: number) => Math.floor(t / 60) * 60;
  const end = minute(now);
  const values: (number | undefined)[] = [];
  for (let k = alarm.evaluationPeriods; k >= 1; k--) {
    const from = end - k * alarm.periodSeconds;
    const to = from + alarm.periodSeconds;
    const sums = new Map<string, number>();
    for (const point of points) {
      const stamp = minute(point.at);
      if (point.visibleAt <= now && stamp >= from && stamp < to) {
        sums.set(point.id, (sums.get(point.id) ?? 0) + point.value);
      }
    }
    values.push(sums.size === 0 ? undefined : evaluateExpression(alarm.expression, sums));
  }
  const breaches = (value: number) => {
    switch (alarm.comparison) {
      case 'GreaterThanOrEqualToThreshold':
        return value >= alarm.threshold;
      case 'GreaterThanThreshold':
        return value > alarm.threshold;
      case 'LessThanThreshold':
        return value < alarm.threshold;
      case 'LessThanOrEqualToThreshold':
        return value <= alarm.threshold;
    }
  };
  if (values.every((v) => v === undefined) && alarm.treatMissingData === 'missing')
    return 'INSUFFICIENT_DATA';
  const breaching = values.filter((v) =>
    v === undefined ? alarm.treatMissingData === 'breaching' : breaches(v),
  ).length;
  return breaching >= alarm.datapointsToAlarm ? 'ALARM' : 'OK';
}

/**
 * Evaluates the subset of metric math an alarm here uses: numbers, metric ids (undefined when the
 * metric has no data point in the period), FILL(id, number), `+` and `-`. Anything else throws, so
 * an alarm written with other functions cannot pass this model unnoticed.
 */
export function evaluateExpression(expression: string, sums: ReadonlyMap<string, number>): number {
  const tokens = expression.match(/[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|[-+(),]/g) ?? [];
  if (tokens.join('') !== expression.replace(/\s+/g, ''))
    throw new Error(`unsupported expression: ${expression}`);
  let at = 0;
  const next = () => tokens[at++] as string;
  const term = (): number => {
    const token = next();
    if (token === 'FILL') {
      if (next() !== '(') throw new Error('FILL( expected');
      const id = next();
      if (next() !== ',') throw new Error('FILL(id, value) expected');
      const fill = Number(next());
      if (next() !== ')') throw new Error(') expected');
      return sums.get(id) ?? fill;
    }
    if (/^\d/.test(token)) return Number(token);
    if (/^[A-Za-z_]/.test(token)) {
      const value = sums.get(token);
      if (value === undefined) return Number.NaN;
      return value;
    }
    throw new Error(`unexpected ${token} in ${expression}`);
  };
  let value = term();
  while (at < tokens.length) {
    const operator = next();
    if (operator === '+') value += term();
    else if (operator === '-') value -= term();
    else throw new Error(`unsupported operator ${operator} in ${expression}`);
  }
  return value;
}
