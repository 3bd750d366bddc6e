// Length limits of a scenario's text fields, so that no field makes a run, its report or an error
// message large (a scenario file itself is at most 1 MiB: cli/input-file.ts).

/** `description`: free text, repeated in report.json, report.html and summary.md. */
export const MAX_DESCRIPTION_CHARS = 4096;
/** An index's, table's or column's name, or a fault's target (node names are like `shard63/n8`). */
export const MAX_NAME_CHARS = 64;
/** A key: a range boundary, a key a directory move places. */
export const MAX_KEY_CHARS = 256;
/** A value written as text: a duration, a rate, an fsync policy. */
export const MAX_VALUE_CHARS = 64;
/** A file's path: a protocol module's. */
export const MAX_PATH_CHARS = 1024;
