// The `.dbsim` marker: how dbsim recognises a directory it wrote. A directory written whole (a run,
// a comparison) lists its files and carries the id of the write that made it; a directory dbsim
// writes into (a sweep, a matrix, dashboards, a TSDB) names its kind. Write ids also name the hidden
// temporary siblings of a write, and tell whether their writer still runs.

import { createHash, randomBytes } from "node:crypto";
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { z } from "zod";

export const MARKER_FILE = ".dbsim";
export const MARKER_SCHEMA = "dbsim.output/v1";
/** Bound on a marker's size (a run directory's list of files takes a few hundred bytes). */
export const MARKER_MAX_BYTES = 1 << 20;
/** Bound on the files a directory written whole may hold (a run directory holds about a dozen). */
export const MARKER_MAX_FILES = 10_000;

/**
 * Directories written whole and replaced whole (a run, a matrix comparison, a knee search's result);
 * "file" is the temporary directory of a single-file write.
 */
export const DIR_KINDS = ["run", "comparison", "knee", "file"] as const;
export type DirKind = (typeof DIR_KINDS)[number];
/** Directories dbsim creates once and then writes into, one path at a time. */
export const CONTAINER_KINDS = ["sweep", "matrix", "dashboards", "tsdb"] as const;
export type ContainerKind = (typeof CONTAINER_KINDS)[number];

/** `<host tag>-<pid>-<random>`: unique per write, and says which process on which host made it. */
const WRITE_ID = /^([0-9a-f]{8})-(\d{1,10})-([0-9a-f]{8})$/;
export const WRITE_ID_PATTERN = WRITE_ID.source.slice(1, -1);

const relativeFile = z
  .string()
  .min(1)
  .refine((path) => !path.startsWith("/") && path.split("/").every((part) => part !== "" && part !== ".."), {
    error: "a file outside the directory",
  });

const dirMarkerSchema = z.strictObject({
  schema: z.literal(MARKER_SCHEMA),
  kind: z.enum(DIR_KINDS),
  /** "writing" until every file is written and synced. */
  state: z.enum(["writing", "complete"]),
  write_id: z.string().regex(WRITE_ID),
  files: z.array(relativeFile).max(MARKER_MAX_FILES),
});
const containerMarkerSchema = z.strictObject({
  schema: z.literal(MARKER_SCHEMA),
  kind: z.enum(CONTAINER_KINDS),
});

export type DirMarker = z.infer<typeof dirMarkerSchema>;
export type ContainerMarker = z.infer<typeof containerMarkerSchema>;
export type Marker = DirMarker | ContainerMarker;

export function isDirMarker(marker: Marker): marker is DirMarker {
  return (DIR_KINDS as readonly string[]).includes(marker.kind);
}

/** A `.dbsim` that is not a marker dbsim wrote. */
export class MarkerError extends Error {
  override readonly name = "MarkerError";
}

/** The directory's marker; null when it has none. A marker that is not dbsim's is a MarkerError. */
export function readMarker(dir: string): Marker | null {
  const path = join(dir, MARKER_FILE);
  let text: string;
  try {
    if (!lstatSync(path).isFile()) throw new MarkerError(`its ${MARKER_FILE} is not a regular file`);
    text = readHead(path, MARKER_MAX_BYTES + 1);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  if (Buffer.byteLength(text) > MARKER_MAX_BYTES) {
    throw new MarkerError(`its ${MARKER_FILE} is larger than ${MARKER_MAX_BYTES} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new MarkerError(`its ${MARKER_FILE} is not JSON`);
  }
  const kind = (value as { kind?: unknown } | null)?.kind;
  const parsed = (
    (CONTAINER_KINDS as readonly unknown[]).includes(kind) ? containerMarkerSchema : dirMarkerSchema
  ).safeParse(value);
  if (!parsed.success) throw new MarkerError(`its ${MARKER_FILE} is not a ${MARKER_SCHEMA} marker`);
  return parsed.data;
}

export function markerText(marker: Omit<DirMarker, "schema"> | Omit<ContainerMarker, "schema">): string {
  return `${JSON.stringify({ schema: MARKER_SCHEMA, ...marker })}\n`;
}

/**
 * Up to `max_bytes` from the start of a file, as UTF-8. Opened without following a link and without
 * blocking (a FIFO put in place meanwhile neither hangs nor is read as a file).
 */
export function readHead(path: string, max_bytes: number): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw new MarkerError(`${path} is not a regular file`);
    const buffer = Buffer.alloc(max_bytes);
    let length = 0;
    while (length < max_bytes) {
      const read = readSync(fd, buffer, length, max_bytes - length, null);
      if (read === 0) break;
      length += read;
    }
    return buffer.subarray(0, length).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/** This host, as the first part of a write id (a pid means nothing on another host). */
const HOST_TAG = createHash("sha256").update(hostname()).digest("hex").slice(0, 8);

export function newWriteId(): string {
  return `${HOST_TAG}-${process.pid}-${randomBytes(4).toString("hex")}`;
}

/**
 * True when the write's process is known to have ended: it ran on this host and its pid is gone.
 * A write from another host, or whose pid runs (or was reused), is taken as still going.
 */
export function writerGone(write_id: string): boolean {
  const match = WRITE_ID.exec(write_id);
  if (match === null || match[1] !== HOST_TAG) return false;
  try {
    process.kill(Number(match[2]), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}
