-- Question: does the share of residents at a place change over the day, the week, the year?
-- One row per place and collection run: the published shares of residents (people who live
-- there) and non-residents (visitors), with KST times. v_resident_share is the mean per place.
DROP VIEW IF EXISTS v_resident_share_over_time CASCADE;

CREATE VIEW v_resident_share_over_time AS
SELECT
  area_code,
  area_name,
  category,
  collected_at,
  collected_at + INTERVAL '9 hours' AS collected_at_kst,
  resident_population_rate AS resident_pct,
  non_resident_population_rate AS non_resident_pct
FROM population;
