-- Spectrum: the lake's Glue tables, queryable in place as spectrum.population,
-- spectrum.population_forecast and spectrum.collection_outcomes (partition columns year, month,
-- day, hour, minute included). Use it for data the loader has not copied yet, or to look at a
-- partition before loading it.
--
-- {{glue_database}} and {{spectrum_role_arn}} are filled in by the SQL runner from GLUE_DATABASE
-- and SPECTRUM_ROLE_ARN. They cannot be Data API parameters: Redshift binds parameters only where a
-- query takes a value, and CREATE EXTERNAL SCHEMA is DDL. The runner accepts only a Glue database
-- name ([A-Za-z0-9_-]) and an IAM role ARN, so neither can close the quoted literal it sits in.
-- IF NOT EXISTS keeps the file idempotent: running it again changes nothing.
CREATE EXTERNAL SCHEMA IF NOT EXISTS spectrum
FROM DATA CATALOG
DATABASE '{{glue_database}}'
IAM_ROLE '{{spectrum_role_arn}}';
