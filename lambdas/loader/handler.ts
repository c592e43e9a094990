// PLACEHOLDER — replaced by the real handler (see the issue that owns lambdas/loader). Exists only so
// that the CDK app can bundle an entry point while the handler is being written.
export const handler = async (): Promise<never> => {
  throw new Error('lambdas/loader/handler.ts is not implemented yet');
};
