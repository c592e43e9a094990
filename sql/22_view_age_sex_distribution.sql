-- Question: who is at each place, by age band and by sex? One row per place and band, long
-- format (dimension = 'age' or 'sex'), so a bar chart takes band as X and share_pct as Y.
-- share_pct is the mean of the published shares over every observation of the place.
DROP VIEW IF EXISTS v_age_sex_distribution CASCADE;

CREATE VIEW v_age_sex_distribution AS
WITH per_place AS (
  SELECT
    area_code,
    MAX(area_name) AS area_name,
    MAX(category) AS category,
    COUNT(*) AS observations,
    AVG(male_population_rate) AS male,
    AVG(female_population_rate) AS female,
    AVG(population_rate_0) AS age_0,
    AVG(population_rate_10) AS age_10,
    AVG(population_rate_20) AS age_20,
    AVG(population_rate_30) AS age_30,
    AVG(population_rate_40) AS age_40,
    AVG(population_rate_50) AS age_50,
    AVG(population_rate_60) AS age_60,
    AVG(population_rate_70) AS age_70
  FROM population
  GROUP BY area_code
),
bands AS (
  SELECT CAST('sex' AS VARCHAR(8)) AS dimension, CAST('male' AS VARCHAR(8)) AS band, 1 AS band_order
  UNION ALL SELECT CAST('sex' AS VARCHAR(8)), CAST('female' AS VARCHAR(8)), 2
  UNION ALL SELECT CAST('age' AS VARCHAR(8)), CAST('0-9' AS VARCHAR(8)), 1
  UNION ALL SELECT CAST('age' AS VARCHAR(8)), CAST('10-19' AS VARCHAR(8)), 2
  UNION ALL SELECT CAST('age' AS VARCHAR(8)), CAST('20-29' AS VARCHAR(8)), 3
  UNION ALL SELECT CAST('age' AS VARCHAR(8)), CAST('30-39' AS VARCHAR(8)), 4
  UNION ALL SELECT CAST('age' AS VARCHAR(8)), CAST('40-49' AS VARCHAR(8)), 5
  UNION ALL SELECT CAST('age' AS VARCHAR(8)), CAST('50-59' AS VARCHAR(8)), 6
  UNION ALL SELECT CAST('age' AS VARCHAR(8)), CAST('60-69' AS VARCHAR(8)), 7
  UNION ALL SELECT CAST('age' AS VARCHAR(8)), CAST('70+' AS VARCHAR(8)), 8
)
SELECT
  p.area_code,
  p.area_name,
  p.category,
  p.observations,
  b.dimension,
  b.band,
  b.band_order,
  ROUND(
    CASE b.band
      WHEN 'male' THEN p.male
      WHEN 'female' THEN p.female
      WHEN '0-9' THEN p.age_0
      WHEN '10-19' THEN p.age_10
      WHEN '20-29' THEN p.age_20
      WHEN '30-39' THEN p.age_30
      WHEN '40-49' THEN p.age_40
      WHEN '50-59' THEN p.age_50
      WHEN '60-69' THEN p.age_60
      WHEN '70+' THEN p.age_70
    END,
    1
  ) AS share_pct
FROM per_place AS p
CROSS JOIN bands AS b;
