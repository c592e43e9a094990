import type { ReportData } from './report-data.js';
import { BAND_PLACES, RECENT_RUNS } from './report-data.js';
import type { PlainRow } from './rows.js';
import { bands, type Chart, columns, esc, formatCount, heatmap, horizontalBars, legend } from './svg.js';

/** Congestion levels in rank order (1 = 여유 … 4 = 붐빔), with their colours. */
const LEVELS = [
  { rank: 1, label: '여유 (relaxed)', color: '#2e7d32' },
  { rank: 2, label: '보통 (normal)', color: '#f9a825' },
  { rank: 3, label: '약간 붐빔 (slightly crowded)', color: '#ef6c00' },
  { rank: 4, label: '붐빔 (crowded)', color: '#c62828' },
] as const;
const UNRANKED = '#7e57c2';
const NO_DATA = '#e6e6e6';
const COLORS = {
  collected: '#2e7d32',
  noData: '#9e9e9e',
  failed: '#c62828',
  lost: '#ef6c00',
  male: '#1e88e5',
  female: '#d81b60',
  resident: '#5e35b1',
  visitor: '#26a69a',
  accent: '#1565c0',
  series: ['#1565c0', '#c62828', '#2e7d32', '#ef6c00', '#6a1b9a'],
};

export interface ReportPage {
  readonly lake: string;
  readonly simulated: boolean;
  readonly generatedAt: Date;
  /** Undefined when the lake holds no run at all. */
  readonly data?: ReportData;
}

const str = (value: unknown) => (value === null || value === undefined ? '' : String(value));
const n = (value: unknown) => Number(value ?? 0);
/** `2026-07-16 14:20:00` → `07-16 14:20` */
const shortTime = (value: unknown) => str(value).slice(5, 16);
const kstNow = (instant: Date) =>
  new Date(instant.getTime() + 9 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

/** A chart with the view it comes from; an empty chart becomes a sentence saying why. */
function figure(
  id: string,
  title: string,
  chart: Chart,
  source: string,
  whenEmpty: string,
  extra = '',
): string {
  if (chart.marks === 0) {
    return `<div class="figure" id="${id}"><h3>${esc(title)}</h3><p class="empty">${esc(whenEmpty)}</p></div>`;
  }
  return (
    `<figure class="chart" id="${id}" data-chart="${id}" data-marks="${chart.marks}"><h3>${esc(title)}</h3>${extra}${chart.svg}` +
    `<figcaption>From <code>${esc(source)}</code>. Hover a mark for its values.</figcaption></figure>`
  );
}

function congestionHeatmap(rows: PlainRow[]): string {
  const places = new Map<string, { key: string; label: string; group: string }>();
  const runs = new Map<string, { key: string; label: string }>();
  for (const row of rows) {
    places.set(str(row.area_code), {
      key: str(row.area_code),
      label: str(row.area_name),
      group: str(row.category),
    });
    runs.set(str(row.collected_at), { key: str(row.collected_at), label: shortTime(row.collected_at_kst) });
  }
  const chart = heatmap({
    label: 'Congestion level per place and run',
    rows: [...places.values()],
    columns: [...runs.values()].sort((a, b) => a.key.localeCompare(b.key)),
    emptyColor: NO_DATA,
    cells: rows.map((row) => ({
      row: str(row.area_code),
      column: str(row.collected_at),
      color: LEVELS.find((level) => level.rank === n(row.congestion_rank))?.color ?? UNRANKED,
      value: str(row.congestion_level),
      title: `${str(row.area_name)} ${shortTime(row.collected_at_kst)} KST: ${str(row.congestion_level)} (${formatCount(n(row.population_min))}–${formatCount(n(row.population_max))})`,
    })),
  });
  return figure(
    'congestion-heatmap',
    `Congestion per place, the last ${Math.min(RECENT_RUNS, runs.size)} run(s) (KST)`,
    chart,
    'v_congestion_over_time',
    'No place has been observed yet.',
    legend([...LEVELS, { color: UNRANKED, label: 'other label' }, { color: NO_DATA, label: 'no data' }]),
  );
}

function dailyRanges(latest: PlainRow[], daily: PlainRow[]): string {
  const day = str(latest[0]?.kst_date);
  const ranges = horizontalBars({
    label: `Population range per place on ${day}`,
    rowHeight: 12,
    items: latest.map((row) => ({
      label: str(row.area_name),
      note: `busiest ${str(row.busiest_at_kst).slice(11, 16)}`,
      segments: [
        {
          from: n(row.population_min),
          to: n(row.population_max),
          color: COLORS.accent,
          title: `${str(row.area_name)} ${day}: ${formatCount(n(row.population_min))}–${formatCount(n(row.population_max))} over ${n(row.observations)} observation(s); busiest at ${str(row.busiest_at_kst).slice(11, 16)} KST`,
        },
      ],
    })),
  });
  const days = [...new Set(daily.map((row) => str(row.kst_date)))].sort();
  const names = new Map(daily.map((row) => [str(row.area_code), str(row.area_name)]));
  const series = [...names.entries()].map(([code, name], index) => ({
    name,
    color: COLORS.series[index % COLORS.series.length] as string,
    points: daily
      .filter((row) => str(row.area_code) === code)
      .map((row) => ({
        x: str(row.kst_date),
        min: n(row.population_min),
        max: n(row.population_max),
        mid: n(row.population_mid_avg),
      })),
  }));
  // One small chart per place: the bands of busy places overlap too much to share one chart.
  const multiples = series.map((one) =>
    bands({ label: `Daily population band of ${one.name}`, xs: days, series: [one], compact: true }),
  );
  const overDays =
    days.length >= 2
      ? figure(
          'daily-bands',
          `Daily minimum–maximum band of the ${names.size} busiest places (line: mean of the midpoints)`,
          {
            svg: `<div class="multiples">${multiples.map((chart) => `<div>${chart.svg}</div>`).join('')}</div>`,
            marks: multiples.reduce((total, chart) => total + chart.marks, 0),
          },
          'v_population_daily_range',
          'No day has been observed yet.',
        )
      : `<p class="note">A band over days appears once two KST days have been collected (the ${BAND_PLACES} busiest places).</p>`;
  return (
    figure(
      'daily-ranges',
      `Lowest and highest population per place on ${day || 'the latest day'} (KST)`,
      ranges,
      'v_population_daily_range',
      'No day has been observed yet.',
    ) + overDays
  );
}

function ageAndSex(ages: PlainRow[], sexes: PlainRow[]): string {
  const ageChart = columns({
    label: 'Age bands, mean share over places',
    max: Math.max(10, ...ages.map((row) => n(row.share_pct))),
    formatTick: (v) => `${v}%`,
    valueLabels: true,
    columns: ages.map((row) => ({
      label: str(row.band),
      segments: [
        {
          value: n(row.share_pct),
          color: COLORS.accent,
          title: `${str(row.band)}: ${n(row.share_pct)} % (mean over ${n(row.places)} place(s))`,
        },
      ],
    })),
  });
  const sexChart = horizontalBars({
    label: 'Male and female share by category',
    max: 100,
    formatTick: (v) => `${v}%`,
    items: sexes.map((row) => ({
      label: str(row.category),
      segments: [
        {
          from: 0,
          to: n(row.male_pct),
          color: COLORS.male,
          title: `${str(row.category)}: male ${n(row.male_pct)} %`,
        },
        {
          from: n(row.male_pct),
          to: n(row.male_pct) + n(row.female_pct),
          color: COLORS.female,
          title: `${str(row.category)}: female ${n(row.female_pct)} %`,
        },
      ],
    })),
  });
  return (
    figure(
      'age-bands',
      'Who is there: age bands (all places)',
      ageChart,
      'v_age_sex_distribution',
      'No observation yet.',
    ) +
    figure(
      'sex-by-category',
      'Male and female share by category of place',
      sexChart,
      'v_age_sex_distribution',
      'No observation yet.',
      legend([
        { color: COLORS.male, label: 'male' },
        { color: COLORS.female, label: 'female' },
      ]),
    )
  );
}

function residentShare(byCategory: PlainRow[], topVisitors: PlainRow[]): string {
  const stacked = (rows: PlainRow[], labelOf: (row: PlainRow) => string) =>
    rows.map((row) => ({
      label: labelOf(row),
      segments: [
        {
          from: 0,
          to: n(row.resident_pct),
          color: COLORS.resident,
          title: `${labelOf(row)}: residents ${n(row.resident_pct)} %`,
        },
        {
          from: n(row.resident_pct),
          to: n(row.resident_pct) + n(row.non_resident_pct),
          color: COLORS.visitor,
          title: `${labelOf(row)}: non-residents ${n(row.non_resident_pct)} %`,
        },
      ],
    }));
  const key = legend([
    { color: COLORS.resident, label: 'residents' },
    { color: COLORS.visitor, label: 'non-residents (visitors)' },
  ]);
  return (
    figure(
      'resident-by-category',
      'Residents and visitors by category of place',
      horizontalBars({
        label: 'Resident share by category',
        max: 100,
        formatTick: (v) => `${v}%`,
        items: stacked(byCategory, (row) => str(row.category)),
      }),
      'v_resident_share',
      'No observation yet.',
      key,
    ) +
    figure(
      'resident-top-visitors',
      'Places with the largest share of visitors',
      horizontalBars({
        label: 'Places by visitor share',
        max: 100,
        formatTick: (v) => `${v}%`,
        items: stacked(topVisitors, (row) => str(row.area_name)),
      }),
      'v_resident_share',
      'No observation yet.',
      key,
    )
  );
}

function forecastAccuracy(rows: PlainRow[]): string {
  const whenEmpty =
    'No forecast can be checked yet: a forecast is compared with the observation of its hour, so this fills in once runs have been collected for a few hours.';
  const hitRate = columns({
    label: 'Congestion level hit rate by forecast horizon',
    max: 100,
    formatTick: (v) => `${v}%`,
    valueLabels: true,
    labelEvery: 1,
    columns: rows.map((row) => ({
      label: `+${n(row.horizon_hours)}h`,
      segments: [
        {
          value: n(row.level_hit_pct),
          color: COLORS.accent,
          title: `${n(row.horizon_hours)} hour(s) ahead: ${n(row.level_hits)} of ${n(row.forecasts)} forecasts had the right level (${n(row.level_hit_pct)} %)`,
        },
      ],
    })),
  });
  const error = columns({
    label: 'Mean absolute error of the range midpoint by horizon',
    formatTick: (v) => `${v}%`,
    valueLabels: true,
    labelEvery: 1,
    columns: rows.map((row) => ({
      label: `+${n(row.horizon_hours)}h`,
      segments: [
        {
          value: n(row.mid_abs_error_pct_avg),
          color: COLORS.failed,
          title: `${n(row.horizon_hours)} hour(s) ahead: midpoint off by ${formatCount(n(row.mid_abs_error_avg))} people on average (${n(row.mid_abs_error_pct_avg)} % of the observed midpoint); mean signed error ${formatCount(n(row.mid_error_avg))}`,
        },
      ],
    })),
  });
  return (
    figure(
      'forecast-hit-rate',
      'Forecast hit rate: right congestion level, by hours ahead',
      hitRate,
      'v_forecast_accuracy_by_horizon',
      whenEmpty,
    ) +
    figure(
      'forecast-error',
      'Forecast error: midpoint off by (% of observed), by hours ahead',
      error,
      'v_forecast_accuracy_by_horizon',
      whenEmpty,
    )
  );
}

function completeness(runs: PlainRow[], freshness: PlainRow[], missing: PlainRow[]): string {
  const perRun = columns({
    label: 'Places per run by outcome',
    columns: runs.map((row) => {
      const lost = Math.max(0, n(row.places_missing) - n(row.places_no_data) - n(row.places_failed));
      const at = shortTime(row.collected_at_kst);
      return {
        label: at,
        segments: [
          {
            value: n(row.places_collected),
            color: COLORS.collected,
            title: `${at}: ${n(row.places_collected)} of ${n(row.places_expected)} collected`,
          },
          {
            value: n(row.places_no_data),
            color: COLORS.noData,
            title: `${at}: ${n(row.places_no_data)} without data (INFO-200)`,
          },
          {
            value: n(row.places_failed),
            color: COLORS.failed,
            title: `${at}: ${n(row.places_failed)} failed`,
          },
          {
            value: lost,
            color: COLORS.lost,
            title: `${at}: ${lost} answered but not in the table (rejected)`,
          },
        ],
      };
    }),
  });
  const skipped = runs.reduce((total, row) => total + n(row.slots_missed_before), 0);
  const fresh = columns({
    label: 'Data age at collection, minutes',
    formatTick: (v) => `${v}`,
    columns: freshness.map((row) => ({
      label: shortTime(row.collected_at_kst),
      segments: [
        {
          value: n(row.freshness_avg_minutes),
          color: COLORS.accent,
          title: `${shortTime(row.collected_at_kst)}: data ${n(row.freshness_avg_minutes)} min old on average (${n(row.freshness_min_minutes)}–${n(row.freshness_max_minutes)}) over ${n(row.places)} place(s)`,
        },
      ],
    })),
  });
  const table =
    missing.length === 0
      ? '<p class="note">No place is missing from any run.</p>'
      : `<table class="missing"><caption>Places missing from runs (from <code>v_missing_runs_by_place</code>)</caption>
<thead><tr><th>place</th><th>runs</th><th>collected</th><th>missing</th><th>no data</th><th>failed</th><th>not asked</th><th>last collected (KST)</th></tr></thead>
<tbody>${missing
          .map(
            (row) =>
              `<tr><td>${esc(str(row.area_name) || str(row.area_code))} <small>${esc(str(row.area_code))}</small></td><td>${n(row.runs_total)}</td><td>${n(row.runs_collected)}</td><td>${n(row.runs_missing)}</td><td>${n(row.runs_no_data)}</td><td>${n(row.runs_failed)}</td><td>${n(row.runs_not_asked)}</td><td>${esc(str(row.last_collected_at_kst).slice(0, 16))}</td></tr>`,
          )
          .join('')}</tbody></table>`;
  return (
    figure(
      'completeness-runs',
      `Completeness of the last ${runs.length} run(s)`,
      perRun,
      'v_completeness_by_run',
      'No run has been recorded yet.',
      legend([
        { color: COLORS.collected, label: 'collected' },
        { color: COLORS.noData, label: 'no data' },
        { color: COLORS.failed, label: 'failed' },
        { color: COLORS.lost, label: 'rejected' },
      ]) +
        (skipped > 0
          ? `<p class="note">${skipped} scheduled 20-minute slot(s) between these runs never ran.</p>`
          : ''),
    ) +
    table +
    figure(
      'freshness',
      'Freshness: how old the data was when collected',
      fresh,
      'v_freshness_by_run',
      'No run has been recorded yet.',
    )
  );
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI","Apple SD Gothic Neo","Malgun Gothic","Noto Sans KR",NanumGothic,sans-serif;margin:0;color:#222;background:#fafafa}
main{max-width:1040px;margin:0 auto;padding:16px 24px 48px}
h1{font-size:1.5em;margin:.4em 0}h2{margin-top:2em;border-bottom:1px solid #ccc;padding-bottom:4px}h3{font-size:1em;margin:.2em 0 .6em}
.chart,.figure{background:#fff;border:1px solid #e0e0e0;border-radius:6px;padding:12px 14px;margin:14px 0}
figcaption,.note,.meta{color:#666;font-size:.85em}
.empty{color:#8a6d3b;background:#fcf8e3;padding:8px 10px;border-radius:4px}
.banner{background:#fff3cd;border:1px solid #e0c36c;padding:8px 12px;border-radius:6px;font-weight:bold}
.nodata{background:#fff;border:1px solid #ccc;border-radius:6px;padding:16px 20px}.nodata h2{margin-top:0}
.legend span{display:inline-block;margin-right:14px;font-size:.85em}.legend i{display:inline-block;width:11px;height:11px;margin-right:4px;vertical-align:-1px;border-radius:2px}
code,pre{background:#f0f0f0;padding:1px 4px;border-radius:3px}pre{padding:8px 10px}
table.missing{border-collapse:collapse;background:#fff;font-size:.9em;margin:14px 0}table.missing td,table.missing th{border:1px solid #ddd;padding:3px 8px;text-align:right}table.missing td:first-child{text-align:left}
caption{text-align:left;font-weight:bold;padding:4px 0}
.multiples{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:8px}
svg text{font-family:inherit}`;

/** How to get data into an empty lake: the one thing the report can usefully say then. */
function noDataYet(lake: string): string {
  return `<div class="nodata" id="no-data"><h2>No data yet</h2>
<p>The lake <code>${esc(lake)}</code> holds no collection run, so there is nothing to chart.</p>
<p>Collect some, then build the report again:</p>
<pre>SEOUL_API_KEY=your-key npm start -- --once --lake ${esc(lake)}   # one run of all 121 places
npm start -- --lake ${esc(lake)}                                # or keep collecting every 20 minutes
npm run report -- --lake ${esc(lake)}</pre>
<p>Get a free key at data.seoul.go.kr (Open API key). To try it without a key, run the simulator:
<code>npm run demo -- --once</code> (writes a simulated lake to <code>./demo-lake</code> and this report with it).</p></div>`;
}

/** The whole report page: self-contained, no script, no external resource. */
export function renderReport(page: ReportPage): string {
  const data = page.data;
  const summary = data?.summary;
  const body = !data
    ? noDataYet(page.lake)
    : `<p class="meta">${n(summary?.runs)} run(s) from ${esc(str(summary?.first_run_kst).slice(0, 16))} to ${esc(str(summary?.last_run_kst).slice(0, 16))} KST ·
${n(summary?.places)} place(s) · ${formatCount(n(summary?.observations))} observation(s)</p>
<nav class="meta">Sections: <a href="#congestion">congestion</a> · <a href="#range">minimum and maximum</a> · <a href="#who">age and sex</a> · <a href="#residents">residents</a> · <a href="#forecasts">forecast accuracy</a> · <a href="#completeness">completeness</a></nav>
<h2 id="congestion">How crowded is each place?</h2>${congestionHeatmap(data.congestion)}
<h2 id="range">Fewest and most people</h2>${dailyRanges(data.latestDayRanges, data.dailyBands)}
<h2 id="who">Who is there</h2>${ageAndSex(data.ageBands, data.sexByCategory)}
<h2 id="residents">Residents and visitors</h2>${residentShare(data.residentByCategory, data.residentTopVisitors)}
<h2 id="forecasts">How good are Seoul's own forecasts?</h2>${forecastAccuracy(data.forecastByHorizon)}
<h2 id="completeness">Is anything missing?</h2>${completeness(data.completenessRuns, data.freshnessRuns, data.missingPlaces)}`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Seoul real-time population — report</title>
<style>${STYLE}</style></head>
<body><main>
<h1>Seoul real-time population — report</h1>
${page.simulated ? '<p class="banner" id="simulated">SIMULATED DATA: this lake was written by the API simulator (npm run demo). Nothing here is real.</p>' : ''}
<p class="meta">Lake <code>${esc(page.lake)}</code> · generated ${esc(kstNow(page.generatedAt))} KST · every chart comes from an analysis view in <code>sql/</code>, the same views Redshift serves.</p>
${body}
</main></body></html>
`;
}
