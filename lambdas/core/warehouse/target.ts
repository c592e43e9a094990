import { ConfigError } from '../errors.js';

/** The warehouse the functions talk to: WORKGROUP_NAME (required) and DATABASE (default `dev`). */
export function warehouseTarget(env: NodeJS.ProcessEnv): { workgroupName: string; database: string } {
  const workgroupName = env.WORKGROUP_NAME?.trim();
  if (!workgroupName) {
    throw new ConfigError('WORKGROUP_NAME is not set: the Redshift Serverless workgroup to run SQL on');
  }
  return { workgroupName, database: env.DATABASE?.trim() || 'dev' };
}
