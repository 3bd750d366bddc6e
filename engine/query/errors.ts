// Errors of the query engine, each naming the field it is about.
//
// API:
//   type FieldPath = readonly (string | number)[]          e.g. [2, "columns", 0]
//   formatFieldPath(path): string                           -> "[2].columns[0]"; ["cluster", "indexes", 2] -> "cluster.indexes[2]"
//   class QueryEngineError extends Error { path; detail; withPrefix(prefix) }
//     .path    where the problem is, relative to what was validated (the index list, the table
//              list, a query); .detail: the message without the path;
//     .message `${formatFieldPath(path)}: ${detail}` (just the detail when the path is empty).
//     .withPrefix(["cluster", "indexes"]) returns the same error with the prefix added to its path,
//     so a scenario loader gets "cluster.indexes[2].columns[0]: unknown column 'foo' of table
//     orders (columns: id, customer_id, ...)".
//   class SchemaError extends QueryEngineError      a bad table or index definition
//   class QueryError extends QueryEngineError       a bad query (unknown column, wrong value type, ...)

export type FieldPath = readonly (string | number)[];

/** `["cluster", "indexes", 2, "columns", 0]` -> `cluster.indexes[2].columns[0]`. */
export function formatFieldPath(path: FieldPath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? part : `.${part}`;
  }
  return out;
}

export class QueryEngineError extends Error {
  readonly path: FieldPath;
  readonly detail: string;

  constructor(path: FieldPath, detail: string) {
    super(path.length === 0 ? detail : `${formatFieldPath(path)}: ${detail}`);
    this.name = new.target.name;
    this.path = path;
    this.detail = detail;
  }

  /** The same error (same class) with `prefix` put in front of its path. */
  withPrefix(prefix: FieldPath): this {
    const Ctor = this.constructor as new (path: FieldPath, detail: string) => this;
    return new Ctor([...prefix, ...this.path], this.detail);
  }
}

/** A table or index definition that cannot be built. */
export class SchemaError extends QueryEngineError {}

/** A query that does not fit its table (unknown column, wrong value type, bad limit, ...). */
export class QueryError extends QueryEngineError {}

/** Lists names for a message: `id, customer_id, status`. */
export function listNames(names: readonly string[]): string {
  return names.length === 0 ? "none" : names.join(", ");
}
