// parquetjs-lite's value conversion module (no type declarations shipped): the one function parquet.ts uses.
declare module 'parquetjs-lite/lib/types.js' {
  const types: { toPrimitive: (type: string, value: unknown) => unknown };
  export default types;
}
