// The report page's script: draws the map and the charts with Apache ECharts (embedded in the
// page before this script) from the JSON the server wrote into #report-data. No network, ever.
// Plain browser JavaScript, inlined verbatim by lambdas/cli/report/html.ts.
(() => {
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const font = getComputedStyle(document.body).fontFamily;
  const levelOf = Object.fromEntries(data.levels.map((l) => [String(l.rank), l]));
  const OTHER = '#7e57c2';
  const NO_DATA = '#e6e6e6';
  const DISTRICT = '#f5f5f0';
  const fmt = (v) => (v === null || v === undefined ? '–' : Math.round(v).toLocaleString('en-US'));
  const esc = (t) => String(t).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  /** KST wall-clock text → epoch ms read as UTC (every chart is drawn with useUTC). */
  const at = (text) => Date.parse(`${text.length === 10 ? `${text}T00:00` : text.replace(' ', 'T')}:00Z`);
  const STEP_MS = { run: data.runIntervalMinutes * 60_000, hour: 3_600_000, day: 86_400_000 };

  const charts = {};
  /** One ECharts instance per chart element, SVG renderer, the page's font, UTC time axes. */
  function chart(id, option) {
    const el = document.getElementById(id);
    charts[id] ??= echarts.init(el, null, { renderer: 'svg' });
    charts[id].setOption(
      { useUTC: true, textStyle: { fontFamily: font }, animation: false, ...option },
      true,
    );
    return charts[id];
  }
  window.addEventListener('resize', () => {
    for (const c of Object.values(charts)) c.resize();
  });
  window.reportCharts = charts;

  /** [time, value] points with a null where consecutive points are further apart than a step: a visible gap. */
  function withGaps(times, values, step) {
    const points = [];
    for (let i = 0; i < times.length; i++) {
      if (values[i] === null || values[i] === undefined) continue;
      const t = at(times[i]);
      const previous = points.at(-1);
      if (previous && previous[1] !== null && t - previous[0] > step * 1.5)
        points.push([previous[0] + step, null]);
      points.push([t, values[i]]);
    }
    return points;
  }
  // Every tick a date or a time, never a bare month name or day number: ECharts' default labels
  // read "Dec" on the first of a month and "6" on a day boundary between hours.
  const TICKS = {
    year: '{yyyy}-{MM}-{dd}',
    month: '{MM}-{dd}',
    day: '{MM}-{dd}',
    hour: '{HH}:{mm}',
    minute: '{HH}:{mm}',
    second: '{HH}:{mm}:{ss}',
    millisecond: '{HH}:{mm}:{ss}',
  };
  const timeAxis = (name) => ({
    type: 'time',
    name,
    nameLocation: 'middle',
    nameGap: 28,
    axisLabel: { hideOverlap: true, fontFamily: font, formatter: TICKS },
  });
  const grid = { left: 72, right: 24, top: 48, bottom: 52, containLabel: false };
  const valueAxis = (name, extra = {}) => ({
    type: 'value',
    name,
    nameTextStyle: { align: 'left' },
    axisLabel: { formatter: (v) => v.toLocaleString('en-US') },
    ...extra,
  });

  // ---- The map ----------------------------------------------------------------------------
  echarts.registerMap('seoul', {
    type: 'FeatureCollection',
    features: [...data.geo.districts.features, ...data.geo.places.features],
  });
  const districtNames = data.geo.districts.features.map((f) => f.properties.name);
  const frames = data.map.frames;
  const slider = document.getElementById('frame');
  const label = document.getElementById('frame-label');
  slider.max = String(Math.max(frames.length - 1, 0));

  /** The place found by name or chosen below: drawn with a heavy outline and its name on the map. */
  let marked = null;

  function placeItem(place, index, frame) {
    const rank = data.map.ranks[frame][index];
    const level = levelOf[rank];
    const color = level ? level.color : rank === 'x' ? OTHER : NO_DATA;
    return {
      name: place.code,
      value: level ? level.rank : null,
      itemStyle: { areaColor: color, borderColor: '#333', borderWidth: 0.6 },
      emphasis: { itemStyle: { areaColor: color, borderColor: '#000', borderWidth: 2.5 } },
      selected: place.code === marked,
      select: {
        itemStyle: { areaColor: color, borderColor: '#000', borderWidth: 3 },
        label: { show: true, formatter: place.name, fontFamily: font, fontWeight: 'bold', color: '#000' },
      },
      place,
      level: level ? level.label : rank === 'x' ? 'other label' : 'no data',
      min: data.map.min[frame][index],
      max: data.map.max[frame][index],
      time: frames[frame].label,
      kind: frames[frame].kind,
    };
  }
  function drawMap(frame) {
    const f = frames[frame];
    label.value = f ? `${f.label} KST${f.kind === 'day' ? ' (whole day, busiest level)' : ''}` : 'no run';
    slider.value = String(frame);
    chart('map', {
      tooltip: {
        trigger: 'item',
        formatter: (p) => {
          const d = p.data;
          if (!d?.place) return esc(p.name);
          return (
            `<b>${esc(d.place.name)}</b> <small>${esc(d.place.code)} · ${esc(d.place.category)}</small><br>` +
            `${esc(d.level)}${d.min === null ? '' : ` · ${fmt(d.min)}–${fmt(d.max)} people`}<br>${esc(d.time)} KST${d.kind === 'day' ? ' (day)' : ''}`
          );
        },
      },
      graphic: [
        {
          type: 'text',
          id: 'attribution',
          left: 8,
          bottom: 6,
          style: {
            text: 'Areas: Seoul Open Data Plaza OA-21285, KOGL Type 1 (공공누리 제1유형) · Districts: KOSTAT 2013 via southkorea/seoul-maps (Apache-2.0)',
            fill: '#555',
            fontSize: 11,
            fontFamily: font,
          },
        },
      ],
      series: [
        {
          type: 'map',
          map: 'seoul',
          roam: true,
          // One place at a time is marked: the one found by name or chosen in "One place over time".
          selectedMode: 'single',
          layoutCenter: ['50%', '48%'],
          layoutSize: '100%',
          label: { show: false },
          itemStyle: { areaColor: DISTRICT, borderColor: '#9e9e9e', borderWidth: 0.8 },
          emphasis: { label: { show: false }, itemStyle: { borderColor: '#000', borderWidth: 2 } },
          data: [
            ...districtNames.map((name) => ({
              name,
              itemStyle: { areaColor: DISTRICT, borderColor: '#9e9e9e' },
              emphasis: { disabled: true },
              select: { disabled: true },
            })),
            ...data.places.map((place, index) => placeItem(place, index, frame)),
          ],
        },
      ],
    });
  }
  let timer = null;
  const play = document.getElementById('frame-play');
  function step(by) {
    const next = (Number(slider.value) + by + frames.length) % Math.max(frames.length, 1);
    drawMap(next);
  }
  function stop() {
    clearInterval(timer);
    timer = null;
    play.textContent = '▶ play';
  }
  slider.addEventListener('input', () => {
    stop();
    drawMap(Number(slider.value));
  });
  document.getElementById('frame-prev').addEventListener('click', () => {
    stop();
    step(-1);
  });
  document.getElementById('frame-next').addEventListener('click', () => {
    stop();
    step(1);
  });
  play.addEventListener('click', () => {
    if (timer) return stop();
    play.textContent = '❚❚ pause';
    timer = setInterval(() => step(1), 400);
  });
  drawMap(Math.max(frames.length - 1, 0));

  // ---- One place ---------------------------------------------------------------------------
  const select = document.getElementById('place');
  const categories = [...new Set(data.places.map((p) => p.category))].sort();
  for (const category of categories) {
    const group = document.createElement('optgroup');
    group.label = category;
    for (const p of data.places
      .filter((q) => q.category === category)
      .sort((a, b) => a.name.localeCompare(b.name, 'ko'))) {
      const option = document.createElement('option');
      option.value = p.code;
      option.textContent = `${p.name} (${p.code})`;
      group.append(option);
    }
    select.append(group);
  }

  function drawPlace(code) {
    const place = data.places.find((p) => p.code === code);
    select.value = code;
    const s = data.series.byPlace[code];
    const step = STEP_MS[data.resolution];
    const t = data.series.times;
    document.getElementById('place-note').textContent = s
      ? `${place.name} · ${place.category}`
      : `${place.name}: not observed in this lake yet`;
    const low = s ? withGaps(t, s.min, step) : [];
    const high = s ? withGaps(t, s.max, step) : [];
    chart('population-range', {
      grid,
      tooltip: { trigger: 'axis', valueFormatter: fmt },
      // The lowest is the band's invisible base: the legend names the band and the midpoint, each
      // with its own mark (a series drawn without line or symbol has none of its own).
      legend: {
        top: 0,
        right: 8,
        data: [{ name: 'range', icon: 'roundRect' }, { name: 'midpoint' }],
        formatter: (name) => (name === 'range' ? 'lowest–highest' : name),
      },
      xAxis: timeAxis('KST'),
      yAxis: valueAxis('people'),
      series: [
        // The band: the lowest as an invisible base, the range stacked on it.
        {
          name: 'lowest',
          type: 'line',
          data: low,
          stack: 'range',
          symbol: 'none',
          lineStyle: { opacity: 0 },
          connectNulls: false,
        },
        {
          name: 'range',
          type: 'line',
          stack: 'range',
          symbol: 'none',
          lineStyle: { opacity: 0 },
          itemStyle: { color: 'rgba(21,101,192,0.35)' },
          areaStyle: { color: 'rgba(21,101,192,0.25)' },
          data: high.map(([x, y], i) => [
            x,
            y === null || !low[i] || low[i][1] === null ? null : y - low[i][1],
          ]),
          tooltip: { valueFormatter: (v) => (v === null ? '–' : `+${fmt(v)}`) },
        },
        {
          name: 'midpoint',
          type: 'line',
          data: s ? withGaps(t, s.mid, step) : [],
          // Symbols shown (ECharts hides them when dense): a run between two gaps is a lone point.
          symbolSize: 5,
          color: '#1565c0',
        },
      ],
    });
    chart('congestion', {
      grid,
      tooltip: {
        trigger: 'axis',
        valueFormatter: (v) => (v === null ? '–' : `${v} (${levelOf[String(Math.round(v))]?.label ?? ''})`),
      },
      xAxis: timeAxis('KST'),
      yAxis: valueAxis('level', {
        min: 1,
        max: 4,
        interval: 1,
        axisLabel: { formatter: (v) => levelOf[String(v)]?.label ?? '' },
      }),
      visualMap: {
        show: false,
        dimension: 1,
        pieces: data.levels.map((l) => ({ gte: l.rank - 0.5, lt: l.rank + 0.5, color: l.color })),
      },
      series: [
        {
          name: 'level',
          type: 'line',
          step: data.resolution === 'run' ? 'end' : false,
          data: s ? withGaps(t, s.rank, step) : [],
          symbolSize: 4,
        },
      ],
    });
    chart('resident', {
      grid,
      tooltip: { trigger: 'axis', valueFormatter: (v) => (v === null ? '–' : `${v} %`) },
      xAxis: timeAxis('KST'),
      yAxis: valueAxis('% residents', { min: 0, max: 100 }),
      series: [
        {
          name: 'residents',
          type: 'line',
          data: s ? withGaps(t, s.resident, step) : [],
          symbolSize: 5,
          color: '#5e35b1',
        },
      ],
    });
    const who = data.ageSex[code];
    const bands = ['0-9', '10-19', '20-29', '30-39', '40-49', '50-59', '60-69', '70+'];
    const sexes = who
      ? [
          { name: 'male', value: who.male, itemStyle: { color: '#1e88e5' } },
          { name: 'female', value: who.female, itemStyle: { color: '#d81b60' } },
        ]
      : [];
    chart('age-sex', {
      grid: { ...grid, right: 200 },
      tooltip: { trigger: 'item', valueFormatter: (v) => `${v} %` },
      // The shares by sex under the pie, in the right-hand column the bars leave free: labels
      // around the pie ran past the chart's right edge (cut off) or across the bars.
      legend: {
        data: ['male', 'female'],
        orient: 'vertical',
        left: '76%',
        top: '66%',
        formatter: (name) => `${name} ${sexes.find((s) => s.name === name)?.value ?? '–'} %`,
      },
      xAxis: {
        type: 'category',
        data: bands,
        name: 'age (years)',
        nameLocation: 'middle',
        nameGap: 28,
        // Every band named: ECharts otherwise drops every other label when they look crowded.
        axisLabel: { interval: 0, fontSize: 11 },
      },
      yAxis: valueAxis('% of people'),
      series: [
        {
          name: 'age band',
          type: 'bar',
          data: who ? who.age : [],
          color: '#26a69a',
          label: { show: true, position: 'top', formatter: '{c}' },
        },
        {
          name: 'sex',
          type: 'pie',
          center: ['84%', '42%'],
          radius: ['0%', '24%'],
          label: { show: false },
          data: sexes,
        },
      ],
    });
    const f = data.forecast.byPlace[code];
    const colors = ['#2e7d32', '#f9a825', '#ef6c00', '#c62828'];
    chart('forecast', {
      grid,
      legend: { top: 0, right: 8 },
      tooltip: { trigger: 'axis', valueFormatter: fmt },
      xAxis: timeAxis('forecast hour (KST)'),
      yAxis: valueAxis('people (midpoint)'),
      series: f
        ? [
            {
              name: 'observed',
              type: 'line',
              data: withGaps(f.times, f.observed, STEP_MS.hour),
              color: '#000',
              lineStyle: { width: 2.5 },
            },
            ...data.forecast.horizons.map((h, i) => ({
              name: `${h} h ahead`,
              type: 'line',
              data: withGaps(f.times, f.byHorizon[i], STEP_MS.hour),
              color: colors[i],
              lineStyle: { type: 'dashed' },
              symbolSize: 3,
            })),
          ]
        : [],
    });
    const hits = data.forecast.hitRate[code] ?? [];
    chart('place-hit-rate', {
      grid,
      tooltip: { trigger: 'axis' },
      xAxis: {
        type: 'category',
        data: hits.map((h) => String(h.horizon)),
        name: 'hours ahead',
        nameLocation: 'middle',
        nameGap: 28,
      },
      yAxis: valueAxis('% right level', { min: 0, max: 100 }),
      series: [
        {
          name: 'right level',
          type: 'bar',
          color: '#1565c0',
          data: hits.map((h) => ({
            value: Math.round((h.hits / h.forecasts) * 1000) / 10,
            forecasts: h.forecasts,
          })),
          // Twelve bars side by side: the number alone (the axis says %), small enough to fit its bar.
          label: { show: true, position: 'top', formatter: '{c}', fontSize: 10 },
        },
      ],
    });
  }
  // ---- Finding a place by name: the search box over the map, and the place chosen below ----------
  const search = document.getElementById('place-search');
  const found = document.getElementById('place-found');
  const names = document.getElementById('place-names');
  const entryOf = (p) => `${p.name}${p.englishName ? ` · ${p.englishName}` : ''} (${p.code})`;
  for (const p of [...data.places].sort((a, b) => a.name.localeCompare(b.name, 'ko'))) {
    const option = document.createElement('option');
    option.value = entryOf(p);
    names.append(option);
  }
  /** Marks a place on the map (outline and name) and says so; redrawn with every frame. */
  function markOnMap(code) {
    marked = code;
    drawMap(Number(slider.value));
    const place = data.places.find((p) => p.code === code);
    found.value = !place
      ? ''
      : place.inside === null
        ? `${place.name} (${place.code}) has no area on this map`
        : `${place.name} (${place.code}) marked on the map`;
  }
  /** The place a search names: its exact entry, else the one place whose name or code holds it. */
  function placeFor(text) {
    const wanted = text.trim().toLowerCase();
    if (wanted === '') return undefined;
    const exact = data.places.find(
      (p) => entryOf(p).toLowerCase() === wanted || p.code.toLowerCase() === wanted,
    );
    if (exact) return exact;
    const holding = data.places.filter((p) =>
      [p.name, p.englishName ?? '', p.code].some((name) => name.toLowerCase().includes(wanted)),
    );
    return holding.length === 1 ? holding[0] : undefined;
  }
  search.addEventListener('change', () => {
    const place = placeFor(search.value);
    if (!place) {
      found.value = search.value.trim() === '' ? '' : `no single place matches "${search.value.trim()}"`;
      return;
    }
    markOnMap(place.code);
    drawPlace(place.code);
  });
  select.addEventListener('change', () => {
    drawPlace(select.value);
    markOnMap(select.value);
  });
  charts.map.on('click', (p) => {
    if (p.data?.place) {
      markOnMap(p.data.place.code);
      drawPlace(p.data.place.code);
      document.getElementById('place-title').scrollIntoView({ behavior: 'smooth' });
    }
  });
  // Start with the busiest place of the latest frame.
  const lastFrame = frames.length - 1;
  let start = data.places[0]?.code;
  if (lastFrame >= 0) {
    let best = -1;
    data.places.forEach((p, i) => {
      const v = data.map.max[lastFrame][i];
      if (v !== null && v > best) {
        best = v;
        start = p.code;
      }
    });
  }
  drawPlace(start);

  // ---- All places --------------------------------------------------------------------------
  const h = data.overall.byHorizon;
  chart('forecast-horizon', {
    grid: { ...grid, right: 72 },
    legend: { top: 0, right: 8 },
    tooltip: { trigger: 'axis' },
    xAxis: {
      type: 'category',
      data: h.map((r) => String(r.horizon_hours)),
      name: 'hours ahead',
      nameLocation: 'middle',
      nameGap: 28,
    },
    yAxis: [
      valueAxis('% right level', { min: 0, max: 100 }),
      valueAxis('people (mean |error|)', { position: 'right', splitLine: { show: false } }),
    ],
    series: [
      { name: 'right level (%)', type: 'bar', data: h.map((r) => r.level_hit_pct), color: '#1565c0' },
      {
        name: 'mean |midpoint error| (people)',
        type: 'line',
        yAxisIndex: 1,
        data: h.map((r) => r.mid_abs_error_avg),
        color: '#c62828',
      },
    ],
  });
  const c = data.overall.completeness;
  const runTime = (r) => at(String(r.collected_at_kst).slice(0, 16));
  chart('completeness', {
    grid,
    legend: { top: 0, right: 8 },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: timeAxis('run (KST)'),
    yAxis: valueAxis('places'),
    series: [
      ['collected', 'places_collected', '#2e7d32'],
      ['no data', 'places_no_data', '#9e9e9e'],
      ['failed', 'places_failed', '#c62828'],
    ].map(([name, key, color]) => ({
      name,
      type: 'bar',
      stack: 'places',
      color,
      barMaxWidth: 14,
      data: c.map((r) => [runTime(r), r[key]]),
    })),
  });
  const fr = data.overall.freshness;
  chart('freshness', {
    grid,
    legend: { top: 0, right: 8 },
    tooltip: { trigger: 'axis', valueFormatter: (v) => (v === null ? '–' : `${v} min`) },
    xAxis: timeAxis('run (KST)'),
    yAxis: valueAxis('minutes old'),
    series: [
      {
        name: 'mean',
        type: 'line',
        data: fr.map((r) => [runTime(r), r.freshness_avg_minutes]),
        color: '#1565c0',
      },
      {
        name: 'oldest',
        type: 'line',
        data: fr.map((r) => [runTime(r), r.freshness_max_minutes]),
        color: '#c62828',
        lineStyle: { type: 'dashed' },
      },
    ],
  });
  document.body.dataset.ready = 'true';
})();
