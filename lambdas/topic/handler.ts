// PLACEHOLDER — replaced by the real handler (see the issue that owns lambdas/topic). Exists only so
// that the CDK app can bundle an entry point while the handler is being written.
export const handler = async (): Promise<never> => {
  throw new Error('lambdas/topic/handler.ts is not implemented yet');
};
