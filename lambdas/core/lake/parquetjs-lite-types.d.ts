// parquetjs-lite's value conversion and plain encoding modules (no type declarations shipped):
// what parquet.ts and int96-timestamp.ts use.
declare module 'parquetjs-lite/lib/types.js' {
  const types: {
    toPrimitive: (type: string, value: unknown) => unknown;
    PARQUET_LOGICAL_TYPES: Record<string, { toPrimitive: (value: unknown) => unknown }>;
  };
  export default types;
}

declare module 'parquetjs-lite/lib/codec/plain.js' {
  const plain: { encodeValues: (type: string, values: unknown[], opts: unknown) => Buffer };
  export default plain;
}
