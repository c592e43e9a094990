import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// parquetjs-lite's Thrift definitions: used here only to read page headers, independently of its writer.
const thrift = require('parquetjs-lite/gen-nodejs/parquet_types.js');
const { decodeThrift } = require('parquetjs-lite/lib/util.js');

/** Parquet's PageType enum. */
export const PAGE_TYPE = { DATA_PAGE: 0, INDEX_PAGE: 1, DICTIONARY_PAGE: 2, DATA_PAGE_V2: 3 } as const;

/** The page type and codec of the first data page of every column chunk of a Parquet file. */
export function firstDataPages(file: Buffer): { column: string; pageType: number; codec: number }[] {
  if (file.subarray(-4).toString() !== 'PAR1') throw new Error('not a Parquet file');
  const footerLength = file.readUInt32LE(file.length - 8);
  const metadata = new thrift.FileMetaData();
  decodeThrift(metadata, file.subarray(file.length - 8 - footerLength, file.length - 8));
  const pages: { column: string; pageType: number; codec: number }[] = [];
  for (const rowGroup of metadata.row_groups) {
    for (const chunk of rowGroup.columns) {
      const header = new thrift.PageHeader();
      decodeThrift(header, file, Number(chunk.meta_data.data_page_offset));
      pages.push({
        column: chunk.meta_data.path_in_schema.join('.'),
        pageType: header.type,
        codec: chunk.meta_data.codec,
      });
    }
  }
  return pages;
}
