-- Question: how old is the data when we collect it? Freshness = collected_at − population_time:
-- the API publishes with a delay (PPLTN_TIME trails the call by 20–35 minutes), and a growing
-- figure means the source is stuck. One row per run, in minutes.
DROP VIEW IF EXISTS v_freshness_by_run CASCADE;

CREATE VIEW v_freshness_by_run AS
WITH aged AS (
  SELECT
    run_id,
    collected_at,
    CAST(EXTRACT(EPOCH FROM collected_at) - EXTRACT(EPOCH FROM population_time) AS DOUBLE PRECISION) / 60
      AS freshness_minutes
  FROM population
)
SELECT
  run_id,
  MIN(collected_at) AS collected_at,
  MIN(collected_at) + INTERVAL '9 hours' AS collected_at_kst,
  COUNT(*) AS places,
  ROUND(AVG(freshness_minutes), 1) AS freshness_avg_minutes,
  MIN(freshness_minutes) AS freshness_min_minutes,
  MAX(freshness_minutes) AS freshness_max_minutes
FROM aged
GROUP BY run_id;
