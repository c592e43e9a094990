/**
 * How often an EventBridge schedule expression fires in a day: `rate(n minutes|hours|days)`, or a
 * `cron(minutes hours day-of-month month day-of-week year)` that fires every day (day-of-month,
 * month and year `*`, day-of-week `?` or `*`, or day-of-month `?` with day-of-week `*`). Minutes and
 * hours may be a value, a list, a range or a step (`0/20`, `*\/3`, `8-18`, `1,13`). Anything else
 * (a schedule that skips days) returns undefined: the caller says it cannot estimate.
 */
export function firingsPerDay(expression: string): number | undefined {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (rate) {
    const n = Number(rate[1]);
    if (n < 1) return undefined;
    const unit = (rate[2] as string).replace(/s$/, '');
    return unit === 'minute' ? 1440 / n : unit === 'hour' ? 24 / n : 1 / n;
  }
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  const fields = cron?.[1]?.trim().split(/\s+/);
  if (fields?.length !== 6) return undefined;
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const everyDay =
    month === '*' &&
    year === '*' &&
    ((dayOfMonth === '*' && (dayOfWeek === '?' || dayOfWeek === '*')) ||
      (dayOfMonth === '?' && dayOfWeek === '*'));
  if (!everyDay) return undefined;
  const minuteCount = countField(minutes, 0, 59);
  const hourCount = countField(hours, 0, 23);
  return minuteCount === undefined || hourCount === undefined ? undefined : minuteCount * hourCount;
}

/** How many values of [min, max] a cron field selects. */
function countField(field: string, min: number, max: number): number | undefined {
  const selected = new Set<number>();
  for (const part of field.split(',')) {
    const match = /^(\*|\d+)(?:-(\d+))?(?:\/(\d+))?$/.exec(part);
    if (!match) return undefined;
    const start = match[1] === '*' ? min : Number(match[1]);
    const end =
      match[2] !== undefined ? Number(match[2]) : match[1] === '*' || match[3] !== undefined ? max : start;
    const step = match[3] !== undefined ? Number(match[3]) : 1;
    if (start < min || end > max || start > end || step < 1) return undefined;
    for (let value = start; value <= end; value += step) selected.add(value);
  }
  return selected.size;
}
