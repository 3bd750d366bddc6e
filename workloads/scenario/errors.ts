// A scenario that cannot run: one line naming the path and what is allowed, with the position in
// the file when known. Its own module so that the fault resolver (nemesis/) and the workload
// plugins report bad input without importing the loader that imports them.

export class ScenarioError extends Error {
  override readonly name = "ScenarioError";
  /** The problem's path, e.g. "workload.distribution"; "" for whole-file errors. */
  readonly path: string;
  /** 1-based position in the source, when the problem is at a node of the file. */
  readonly line: number | undefined;
  readonly column: number | undefined;
  /** Every problem found, formatted like the message (which names the first). */
  readonly problems: readonly string[];

  constructor(
    message: string,
    details: { path?: string; line?: number; column?: number; problems?: readonly string[] } = {},
  ) {
    super(message);
    this.path = details.path ?? "";
    this.line = details.line;
    this.column = details.column;
    this.problems = details.problems ?? [message];
  }
}
