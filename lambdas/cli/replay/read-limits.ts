/**
 * How much the tools that read a lake (replay, check, the start's recovery) take from one file, so
 * that memory stays bounded whatever an archive holds — a gzip bomb, one endless line, a huge
 * file. Each limit is far above what the writer produces (a run of 121 places is about 1 MB of
 * raw lines; one envelope is one API answer, at most API_MAX_ANSWER_BYTES = 1 MiB by default, plus
 * its envelope) and each breach names the file (and line) and leaves it out; the rest is read.
 */

/** A file of the lake is read whole only up to this size as stored (compressed for gzip). */
export const MAX_LAKE_FILE_BYTES = 64 * 1_048_576;

/** A raw/ or rejected/ file decompresses to at most this much; beyond it, it is left out whole. */
export const MAX_ARCHIVE_TEXT_BYTES = 64 * 1_048_576;

/** One line of raw/ or rejected/ (one envelope or rejection); a longer line is skipped, named. */
export const MAX_ARCHIVE_LINE_BYTES = 16 * 1_048_576;

/** All raw lines of one partition together; a partition over it is not rebuilt, named. */
export const MAX_PARTITION_TEXT_BYTES = 32 * 1_048_576;
