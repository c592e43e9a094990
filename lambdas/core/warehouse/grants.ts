import { SCHEMA_MIGRATIONS } from '../schema.js';
import { WAREHOUSE_TABLES } from '../tables.js';

/** The tables the loader reads and writes: every warehouse table but the migrations' record (the SQL runner's). */
const LOADER_TABLES = WAREHOUSE_TABLES.filter((table) => table !== SCHEMA_MIGRATIONS);

/** The file that creates the COPY loader's database user and grants it its tables. */
export const GRANTS_FILE = '30_grants_loader.sql';

/**
 * `sql/30_grants_loader.sql`, generated (`npm run generate:sql`) so the tables granted are the
 * warehouse tables of the registered datasets and the pipeline, never a list typed by hand.
 */
export function loaderGrantsFile(): string {
  return `-- GENERATED from lambdas/core/warehouse/grants.ts by \`npm run generate:sql\`: edit that, not this file.
--
-- The COPY loader's database user, and exactly what its merge needs (lambdas/core/warehouse/
-- loader-sql.ts): read the load log, the lake's tables and the tables derived from them, delete
-- the rows it replaces, insert the new ones, and its own temporary staging tables. Nothing else: it
-- is not a superuser, owns nothing, and cannot create, alter or drop a table. Redshift gives every
-- user CREATE on schema public by default ("Default database user permissions"); that is revoked
-- from PUBLIC here, so only superusers (the admin user) create objects there. docs/deploy-aws.md
-- lists what the loader may do, and a test holds that list to this file.
--
-- The loader calls the Data API with its IAM role's temporary credentials, so Redshift Serverless
-- logs it in as the database user "IAMR:<role name>" ({{loader_db_user}}, from LOADER_DB_USER; the
-- CDK app gives the role a fixed lower-case name). The user is created here, before the loader's
-- first call, so the grants can name it; PASSWORD DISABLE: it can only ever sign in through IAM.
--
-- This file runs as one Data API batch (one session, one transaction; see apply-sql.ts), because
-- the SET below must hold for the statements after it: user names that come from IAM keep their
-- upper-case "IAMR:" prefix, and Redshift folds even quoted identifiers to lower case unless
-- enable_case_sensitive_identifier is on. Redshift has no CREATE USER IF NOT EXISTS: the
-- procedure makes the file idempotent. GRANT of a privilege already held changes nothing.
SET enable_case_sensitive_identifier TO true;

CREATE OR REPLACE PROCEDURE pipeline_create_user_if_missing(user_name VARCHAR(128))
AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_user WHERE usename = user_name) THEN
    EXECUTE 'CREATE USER ' || quote_ident(user_name) || ' PASSWORD DISABLE';
  END IF;
END;
$$ LANGUAGE plpgsql;

CALL pipeline_create_user_if_missing('{{loader_db_user}}');

REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT TEMP ON DATABASE {{database}} TO "{{loader_db_user}}";
GRANT USAGE ON SCHEMA public TO "{{loader_db_user}}";
GRANT SELECT, INSERT, DELETE ON TABLE ${LOADER_TABLES.map((table) => table.name).join(', ')} TO "{{loader_db_user}}";
`;
}
