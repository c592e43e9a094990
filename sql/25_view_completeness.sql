-- Question: did every run collect every place, and if not, why?
--
-- v_completeness_by_run: one row per run. places_expected = places the run asked for (from
--   collection_outcomes; for a run that left no outcome rows, the places it collected);
--   places_collected = rows that reached the population table; places_ok / places_no_data /
--   places_failed = what the fetcher recorded; places_missing = expected − collected.
--   minutes_since_previous_run and slots_missed_before show runs that never happened at all
--   (the schedule is every {{run_interval_minutes}} minutes: the cadence setting, filled in by the
--   SQL runner and the local lake alike).
-- v_missing_runs_by_place: one row per place. A place counts from its first scheduled run (the
--   first run that asked for it) to the last run that asked for it: a place the city added later is
--   not missing from the runs before it, and a place retired from the place catalogue is no longer
--   asked, so it stops counting as missing. runs_total = the runs in that span; runs_missing = runs
--   of the span without a row for the place, split into no data (INFO-200), failed, and not asked
--   (the run was limited to other places). first_run_at_kst / last_asked_at_kst give the span.
DROP VIEW IF EXISTS v_completeness_by_run CASCADE;
DROP VIEW IF EXISTS v_missing_runs_by_place CASCADE;

CREATE VIEW v_completeness_by_run AS
WITH runs AS (
  SELECT run_id, MIN(collected_at) AS collected_at
  FROM (
    SELECT run_id, collected_at FROM collection_outcomes
    UNION ALL
    SELECT run_id, collected_at FROM population
  ) AS seen
  GROUP BY run_id
),
outcomes AS (
  SELECT
    run_id,
    COUNT(*) AS places_asked,
    SUM(CASE WHEN status = 'ok' THEN 1 ELSE 0 END) AS places_ok,
    SUM(CASE WHEN status = 'no-data' THEN 1 ELSE 0 END) AS places_no_data,
    SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS places_failed
  FROM collection_outcomes
  GROUP BY run_id
),
collected AS (
  SELECT run_id, COUNT(*) AS places_collected
  FROM population
  GROUP BY run_id
),
counted AS (
  SELECT
    r.run_id,
    r.collected_at,
    GREATEST(COALESCE(o.places_asked, 0), COALESCE(c.places_collected, 0)) AS places_expected,
    COALESCE(c.places_collected, 0) AS places_collected,
    COALESCE(o.places_ok, 0) AS places_ok,
    COALESCE(o.places_no_data, 0) AS places_no_data,
    COALESCE(o.places_failed, 0) AS places_failed,
    CAST(
      EXTRACT(EPOCH FROM r.collected_at)
      - EXTRACT(EPOCH FROM LAG(r.collected_at) OVER (ORDER BY r.collected_at, r.run_id))
      AS DOUBLE PRECISION
    ) / 60 AS minutes_since_previous_run
  FROM runs AS r
  LEFT JOIN outcomes AS o ON o.run_id = r.run_id
  LEFT JOIN collected AS c ON c.run_id = r.run_id
)
SELECT
  run_id,
  collected_at,
  collected_at + INTERVAL '9 hours' AS collected_at_kst,
  places_expected,
  places_collected,
  places_ok,
  places_no_data,
  places_failed,
  places_expected - places_collected AS places_missing,
  minutes_since_previous_run,
  -- A gap of two intervals means one slot was skipped; + half an interval rounds off-schedule runs.
  CASE
    WHEN minutes_since_previous_run IS NULL THEN NULL
    ELSE GREATEST(
      CAST(FLOOR((minutes_since_previous_run + {{run_interval_minutes}} / 2.0) / {{run_interval_minutes}}) AS INTEGER) - 1,
      0
    )
  END AS slots_missed_before
FROM counted;

CREATE VIEW v_missing_runs_by_place AS
WITH runs AS (
  SELECT run_id, MIN(collected_at) AS collected_at
  FROM (
    SELECT run_id, collected_at FROM collection_outcomes
    UNION ALL
    SELECT run_id, collected_at FROM population
  ) AS seen
  GROUP BY run_id
),
place_runs AS (
  SELECT area_code, run_id FROM collection_outcomes
  UNION
  SELECT area_code, run_id FROM population
),
spans AS (
  SELECT pr.area_code, MIN(r.collected_at) AS first_run_at, MAX(r.collected_at) AS last_asked_at, COUNT(*) AS runs_seen
  FROM place_runs AS pr
  JOIN runs AS r ON r.run_id = pr.run_id
  GROUP BY pr.area_code
),
totals AS (
  SELECT s.area_code, COUNT(*) AS runs_total
  FROM spans AS s
  JOIN runs AS r ON r.collected_at >= s.first_run_at AND r.collected_at <= s.last_asked_at
  GROUP BY s.area_code
),
collected AS (
  SELECT
    area_code,
    MAX(area_name) AS area_name,
    MAX(category) AS category,
    COUNT(DISTINCT run_id) AS runs_collected,
    MAX(collected_at) AS last_collected_at
  FROM population
  GROUP BY area_code
),
outcomes AS (
  SELECT
    area_code,
    SUM(CASE WHEN status = 'no-data' THEN 1 ELSE 0 END) AS runs_no_data,
    SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS runs_failed
  FROM collection_outcomes
  GROUP BY area_code
)
SELECT
  s.area_code,
  c.area_name,
  c.category,
  t.runs_total,
  COALESCE(c.runs_collected, 0) AS runs_collected,
  t.runs_total - COALESCE(c.runs_collected, 0) AS runs_missing,
  COALESCE(o.runs_no_data, 0) AS runs_no_data,
  COALESCE(o.runs_failed, 0) AS runs_failed,
  t.runs_total - s.runs_seen AS runs_not_asked,
  c.last_collected_at + INTERVAL '9 hours' AS last_collected_at_kst,
  s.first_run_at + INTERVAL '9 hours' AS first_run_at_kst,
  s.last_asked_at + INTERVAL '9 hours' AS last_asked_at_kst
FROM spans AS s
JOIN totals AS t ON t.area_code = s.area_code
LEFT JOIN collected AS c ON c.area_code = s.area_code
LEFT JOIN outcomes AS o ON o.area_code = s.area_code;
