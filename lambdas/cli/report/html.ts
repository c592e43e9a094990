import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatKstWallClock } from '../../core/kst-time.js';
import { ALL_PLACES } from '../../core/places.js';
import { ATTRIBUTION } from './geo.js';
import { buildPayload, embeddedJson, LEVELS, type Payload } from './payload.js';
import type { ReportData } from './report-data.js';
import type { PlainRow } from './rows.js';

export interface ReportPage {
  readonly lake: string;
  readonly simulated: boolean;
  /** The simulator injected faults (`demo --faults`): the failures shown are its doing. */
  readonly simulatedFaults?: boolean;
  readonly generatedAt: Date;
  /** Undefined when the lake holds no run at all. */
  readonly data?: ReportData;
  /** Minutes between scheduled runs (`RUN_INTERVAL_MINUTES`), as the lake was collected. */
  readonly runIntervalMinutes: number;
}

/**
 * Korean fonts named first, so Hangul never falls back to whatever font happens to be first on a
 * machine (and renders as boxes when that one has no Hangul): Noto Sans CJK KR (Debian's
 * fonts-noto-cjk, Android), Noto Sans KR, Apple SD Gothic Neo (macOS, iOS), Malgun Gothic
 * (Windows), NanumGothic (many Linux desktops), then the system's own.
 */
export const FONT_STACK =
  '"Noto Sans CJK KR", "Noto Sans KR", "Apple SD Gothic Neo", "Malgun Gothic", NanumGothic, "Source Han Sans K", system-ui, sans-serif';

const here = dirname(fileURLToPath(import.meta.url));
/** Apache ECharts, embedded whole: the page loads nothing from anywhere. */
const echartsSource = () =>
  readFileSync(createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js'), 'utf8');
const clientSource = () => readFileSync(join(here, 'client', 'report.js'), 'utf8');

export function esc(text: string | number): string {
  return String(text).replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string,
  );
}
const str = (value: unknown) => (value === null || value === undefined ? '' : String(value));
const n = (value: unknown) => Number(value ?? 0);
const count = (value: number) => Math.round(value).toLocaleString('en-US');
const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

const STYLE = `
:root{--font:${FONT_STACK}}
body{font-family:var(--font);margin:0;color:#222;background:#fafafa}
main{max-width:1180px;margin:0 auto;padding:16px 24px 48px}
h1{font-size:1.5em;margin:.4em 0}h2{margin-top:2em;border-bottom:1px solid #ccc;padding-bottom:4px}h3{font-size:1em;margin:.2em 0 .4em}
.card{background:#fff;border:1px solid #e0e0e0;border-radius:6px;padding:12px 14px;margin:14px 0}
.chart{width:100%;height:340px}.chart.map{height:700px}.chart.short{height:260px}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:14px}.grid>.card{margin:0}
@media (max-width:900px){.grid{grid-template-columns:1fr}}
figcaption,.note,.meta{color:#555;font-size:.85em}
.banner{background:#fff3cd;border:1px solid #e0c36c;padding:8px 12px;border-radius:6px;font-weight:bold}
.nodata{background:#fff;border:1px solid #ccc;border-radius:6px;padding:16px 20px}.nodata h2{margin-top:0}
.legend span{display:inline-block;margin-right:14px;font-size:.85em}.legend i{display:inline-block;width:11px;height:11px;margin-right:4px;vertical-align:-1px;border-radius:2px}
.controls{display:flex;gap:8px;align-items:center;flex-wrap:wrap;margin:6px 0}.controls input[type=range]{flex:1;min-width:240px}
.controls output{font-variant-numeric:tabular-nums;min-width:15em;font-weight:bold}#place-search{min-width:22em}#place-found{font-weight:normal}
button,select{font:inherit;padding:3px 8px}
code,pre{background:#f0f0f0;padding:1px 4px;border-radius:3px}pre{padding:8px 10px}
table.missing{border-collapse:collapse;background:#fff;font-size:.9em;margin:14px 0}table.missing td,table.missing th{border:1px solid #ddd;padding:3px 8px;text-align:right}table.missing td:first-child{text-align:left}
caption{text-align:left;font-weight:bold;padding:4px 0}`;

/** How to get data into an empty lake: the one thing the report can usefully say then. */
function noDataYet(lake: string, runIntervalMinutes: number): string {
  return `<div class="nodata" id="no-data"><h2>No data yet</h2>
<p>The lake <code>${esc(lake)}</code> holds no collection run, so there is nothing to chart.</p>
<p>Collect some, then build the report again:</p>
<pre>SEOUL_API_KEY=your-key npm start -- --once --lake ${esc(lake)}   # one run of all 121 places
npm start -- --lake ${esc(lake)}                                # or keep collecting every ${runIntervalMinutes} minutes
npm run report -- --lake ${esc(lake)}</pre>
<p>Get a free key at data.seoul.go.kr (Open API key). To try it without a key, run the simulator:
<code>npm run demo -- --once</code> (writes a simulated lake to <code>./demo-lake</code> and this report with it).</p></div>`;
}

const legend = () =>
  `<p class="legend">${LEVELS.map((l) => `<span><i style="background:${l.color}"></i>${esc(l.label)} (${l.english})</span>`).join('')}<span><i style="background:#7e57c2"></i>other label</span><span><i style="background:#e6e6e6"></i>no data</span></p>`;

function forecastSentences(rows: PlainRow[]): string {
  if (rows.length === 0)
    return '<p class="note">No forecast can be checked yet: its hour has not been observed.</p>';
  return `<ul class="note">${rows
    .map(
      (row) =>
        `<li>${n(row.horizon_hours)} hour(s) ahead: ${n(row.level_hits)} of ${n(row.forecasts)} forecasts had the right level (${n(row.level_hit_pct)} %), midpoint off by ${count(n(row.mid_abs_error_avg))} people on average</li>`,
    )
    .join('')}</ul>`;
}

/**
 * The places that missed the most runs, each by name: the view names a place from its rows in
 * `population`, so a place never collected is named from the place list. Says how many more there
 * are, and how to list them all.
 */
function missingTable(rows: PlainRow[], nameOf: (code: string) => string | undefined): string {
  if (rows.length === 0) return '<p class="note">Every place was collected in every run.</p>';
  const total = n(rows[0]?.places_missing);
  const more =
    total > rows.length
      ? `<tfoot><tr><td colspan="7" id="missing-more">… and ${total - rows.length} more: <code>npm run query -- "SELECT * FROM v_missing_runs_by_place WHERE runs_missing &gt; 0 ORDER BY runs_missing DESC"</code></td></tr></tfoot>`
      : '';
  return `<table class="missing" id="missing-places"><caption>Places missing runs (${rows.length} of ${total}, most first)</caption>
<thead><tr><th>place</th><th>runs</th><th>collected</th><th>missing</th><th>no data</th><th>failed</th><th>not asked</th></tr></thead><tbody>${rows
    .map(
      (row) =>
        `<tr><td>${esc(str(row.area_name) || nameOf(str(row.area_code)) || '(name unknown)')} <small>${esc(str(row.area_code))}</small></td><td>${n(row.runs_total)}</td><td>${n(row.runs_collected)}</td><td>${n(row.runs_missing)}</td><td>${n(row.runs_no_data)}</td><td>${n(row.runs_failed)}</td><td>${n(row.runs_not_asked)}</td></tr>`,
    )
    .join('')}</tbody>${more}</table>`;
}

/** A place's Korean name by code: the lake's place catalogue, the names the views saw, the built-in list. */
function placeNamer(data: ReportData): (code: string) => string | undefined {
  const names = new Map<string, string>(ALL_PLACES.map((place) => [place.code, place.name]));
  for (const row of data.placeNames) if (row.area_name) names.set(str(row.area_code), str(row.area_name));
  for (const place of data.cataloguePlaces ?? []) names.set(place.code, place.name);
  return (code) => names.get(code);
}

const RESOLUTION_WORDS = { run: 'every run', hour: 'per hour', day: 'per day' } as const;

/** The places the map cannot draw, said where the map is, so an absent shape is never a silent gap. */
function unmappedNote(unmapped: Payload['unmapped']): string {
  if (unmapped.length === 0) return '';
  return `<p class="note" id="unmapped">${unmapped.length} place(s) have no area in the map data (the city's release of 2026-04-02 predates them), so the map does not draw them: ${unmapped
    .map((place) => `${esc(place.name)} <small>${esc(place.code)}</small>`)
    .join(', ')}. They are in the lists below like every other place.</p>`;
}

function body(data: ReportData, runIntervalMinutes: number, unmapped: Payload['unmapped']): string {
  const s = data.summary;
  const skipped = data.completenessRuns.reduce((total, row) => total + n(row.slots_missed_before), 0);
  return `<p class="meta" id="summary">${n(s.runs)} run(s) from ${esc(str(s.first_run_kst).slice(0, 16))} to ${esc(str(s.last_run_kst).slice(0, 16))} KST ·
${n(s.places)} place(s) · ${count(n(s.observations))} observation(s)</p>
<h2 id="map-title">Seoul, place by place: how crowded, run by run</h2>
<section class="card" id="map-card">
<div class="controls" id="time-control" role="group" aria-label="Choose a run">
<button type="button" id="frame-prev" aria-label="previous run">◀</button>
<button type="button" id="frame-play" aria-label="play">▶ play</button>
<button type="button" id="frame-next" aria-label="next run">▶|</button>
<input type="range" id="frame" min="0" max="0" step="1" value="0" aria-label="run">
<output id="frame-label" for="frame"></output></div>
<div class="controls" id="place-finder" role="search">
<label for="place-search">Find a place:</label>
<input type="search" id="place-search" list="place-names" autocomplete="off" placeholder="name or code: 여의도, Yeouido, POI072">
<datalist id="place-names"></datalist>
<output id="place-found" for="place-search" aria-live="polite"></output></div>
<div class="chart map" id="map" data-chart="map"></div>
${legend()}
<figcaption id="attribution">Map: ${esc(ATTRIBUTION)} Click a place to see its history below. The latest ${n(data.mapRuns.length > 0 ? new Set(data.mapRuns.map((r) => r.collected_at_kst)).size : 0)} run(s) are one frame each; earlier days are one frame per KST day (the busiest level of the day, and the day's lowest and highest count).</figcaption>
${unmappedNote(unmapped)}
</section>
<h2 id="place-title">One place over time</h2>
<section class="card"><label>Place: <select id="place" aria-label="place"></select></label>
<span class="note" id="place-note"></span></section>
<div class="grid">
<figure class="card"><h3>People present: lowest–highest published range, and midpoint</h3><div class="chart" id="population-range" data-chart="population-range"></div>
<figcaption>From <code>v_congestion_over_time</code>, ${RESOLUTION_WORDS[data.resolution]}. Gaps are runs that did not collect the place.</figcaption></figure>
<figure class="card"><h3>Congestion level</h3><div class="chart" id="congestion" data-chart="congestion"></div>
<figcaption>From <code>v_congestion_over_time</code>, ${data.resolution === 'run' ? 'every run' : `mean level ${RESOLUTION_WORDS[data.resolution]}`}.</figcaption></figure>
<figure class="card"><h3>Who is there: age and sex</h3><div class="chart" id="age-sex" data-chart="age-sex"></div>
<figcaption>From <code>v_age_sex_distribution</code>: mean of the published shares over every observation.</figcaption></figure>
<figure class="card"><h3>Residents among the people present</h3><div class="chart" id="resident" data-chart="resident"></div>
<figcaption>From <code>v_resident_share_over_time</code>, ${RESOLUTION_WORDS[data.resolution]}; the rest are visitors.</figcaption></figure>
<figure class="card"><h3>Forecast against what happened (last ${'72'} hours checked)</h3><div class="chart" id="forecast" data-chart="forecast"></div>
<figcaption>From <code>v_forecast_accuracy</code>: the midpoint of the range forecast 1, 3, 6 and 12 hours ahead, and of the first observation of that hour.</figcaption></figure>
<figure class="card"><h3>Forecast hit rate of this place, by hours ahead</h3><div class="chart" id="place-hit-rate" data-chart="place-hit-rate"></div>
<figcaption>From <code>v_forecast_accuracy</code>: share of forecasts whose level was the one observed.</figcaption></figure>
</div>
<h2 id="all-title">All places</h2>
<figure class="card"><h3>How good are Seoul's own forecasts?</h3><div class="chart short" id="forecast-horizon" data-chart="forecast-horizon"></div>
<figcaption>From <code>v_forecast_accuracy_by_horizon</code>.</figcaption>${forecastSentences(data.forecastByHorizon)}</figure>
<figure class="card"><h3>Completeness of the last ${data.completenessRuns.length} run(s)</h3><div class="chart short" id="completeness" data-chart="completeness"></div>
<figcaption>From <code>v_completeness_by_run</code>.${skipped > 0 ? ` ${skipped} scheduled ${runIntervalMinutes}-minute slot(s) between these runs never ran.` : ''}</figcaption>${missingTable(data.missingPlaces, placeNamer(data))}</figure>
<figure class="card"><h3>Freshness: how old the data was when collected</h3><div class="chart short" id="freshness" data-chart="freshness"></div>
<figcaption>From <code>v_freshness_by_run</code>.</figcaption></figure>`;
}

/**
 * The whole report page: one file, self-contained. Its scripts (ECharts and the page's own) are
 * inline and allowed by hash; the policy forbids every fetch, so it opens offline and can be mailed.
 */
export function renderReport(page: ReportPage): string {
  const data = page.data;
  const scripts = data ? [echartsSource(), clientSource()] : [];
  const payload = data ? buildPayload(data, page.runIntervalMinutes) : undefined;
  const json = payload ? embeddedJson(payload) : '';
  const policy = [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    'img-src data:',
    ...(scripts.length > 0 ? [`script-src ${scripts.map(sha256).join(' ')}`] : []),
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="ko"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<title>Seoul real-time population — report</title>
<style>${STYLE}</style></head>
<body><main>
<h1>Seoul real-time population — report</h1>
${page.simulated ? `<p class="banner" id="simulated">SIMULATED DATA: this lake was written by the API simulator (npm run demo). Nothing here is real.${page.simulatedFaults ? ' Its failures too: the simulator injected faults (npm run demo -- --faults), so the completeness, missing-runs and freshness figures show made-up failures.' : ''}</p>` : ''}
<p class="meta">Lake <code>${esc(page.lake)}</code> · generated ${esc(formatKstWallClock(page.generatedAt))} KST · every chart comes from an analysis view in <code>sql/</code>, the same views Redshift serves. Times are KST (UTC+9).</p>
${data && payload ? body(data, page.runIntervalMinutes, payload.unmapped) : noDataYet(page.lake, page.runIntervalMinutes)}
</main>
${data ? `<script type="application/json" id="report-data">${json}</script>\n${scripts.map((source) => `<script>${source}</script>`).join('\n')}` : ''}
</body></html>
`;
}
