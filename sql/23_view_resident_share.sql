-- Question: who comes from where — what share of the people at each place live there
-- (resident) and what share are visitors (non-resident)? One row per place, the mean of the
-- published shares over every observation.
DROP VIEW IF EXISTS v_resident_share CASCADE;

CREATE VIEW v_resident_share AS
SELECT
  area_code,
  MAX(area_name) AS area_name,
  MAX(category) AS category,
  COUNT(*) AS observations,
  ROUND(AVG(resident_population_rate), 1) AS resident_pct,
  ROUND(AVG(non_resident_population_rate), 1) AS non_resident_pct
FROM population
GROUP BY area_code;
