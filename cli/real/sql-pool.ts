// Sessions on a PostgreSQL target, one per logical client: PGlite (one in-process database that
// serves its callers one statement at a time, as dbsim's node serves requests) or a server through
// `pg` (one connection per client, opened before the run). On a server dbsim works in a schema of
// its own, made for the run and dropped after it: it never touches another table.

import { randomBytes } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { CliError } from "../errors.js";
import { quoteIdent } from "./sql.js";
import { errorText, type Target } from "./target.js";

export interface SqlResult {
  readonly rows: Record<string, unknown>[];
  readonly affected: number;
}

export interface SqlSession {
  /** One parameterized statement. */
  query(text: string, params?: readonly unknown[]): Promise<SqlResult>;
  /** Several statements without parameters in one round trip (PostgreSQL runs them as one transaction). */
  exec(text: string): Promise<void>;
}

export interface SqlPool {
  /** PostgreSQL's version() (PGlite's names it). */
  readonly version: string;
  /**
   * PGlite: the µs the database has worked on `client`'s statements so far. PGlite runs one
   * statement at a time, first come first served, so a statement's work starts when it was sent or
   * when the one before it ended, whichever is later. null on a server, whose connections work in
   * parallel (the time from sending to the answer is the statement's).
   */
  busy_us(client: number): number | null;
  /** The session of logical client `client` (0 .. sessions - 1). */
  session(client: number): SqlSession;
  close(): Promise<void>;
}

/** How long a connection may take before the target counts as unreachable. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Opens `sessions` sessions on a PostgreSQL target (pglite or postgres://). A server that cannot
 * be reached, refuses the login or lacks the database is one line and exit 2.
 * `statement_timeout_ms`: the server cancels a statement running longer (a timed-out operation
 * frees its connection); PGlite has no timer to do it.
 */
export async function openSqlPool(
  target: Target,
  sessions: number,
  statement_timeout_ms: number,
): Promise<SqlPool> {
  if (target.kind === "pglite") return openPglite(sessions);
  if (target.kind !== "postgres") throw new Error(`openSqlPool: not a PostgreSQL target: ${target.kind}`);
  return openServer(target, sessions, statement_timeout_ms);
}

async function openPglite(sessions: number): Promise<SqlPool> {
  const db = await PGlite.create();
  const busy = new Array<number>(sessions).fill(0);
  let lastEnd_ms = 0;
  /** Runs a statement of `client`, adding the time PGlite worked on it to the client's account. */
  const timed = async <T>(client: number, statement: () => Promise<T>): Promise<T> => {
    const sent_ms = performance.now();
    try {
      return await statement();
    } finally {
      const end_ms = performance.now();
      busy[client] = (busy[client] as number) + (end_ms - Math.max(sent_ms, lastEnd_ms)) * 1000;
      lastEnd_ms = end_ms;
    }
  };
  const sessionsOf = busy.map(
    (_, client): SqlSession => ({
      query: (text, params) =>
        timed(client, async () => {
          const result = await db.query<Record<string, unknown>>(
            text,
            params === undefined ? undefined : [...params],
          );
          return { rows: result.rows, affected: result.affectedRows ?? 0 };
        }),
      exec: (text) =>
        timed(client, async () => {
          await db.exec(text);
        }),
    }),
  );
  const session = (client: number): SqlSession => {
    const s = sessionsOf[client];
    if (s === undefined) throw new RangeError(`no session ${client}`);
    return s;
  };
  const version = shortVersion((await session(0).query("SELECT version() AS v")).rows[0]?.v);
  return { version, session, busy_us: (client) => busy[client] ?? 0, close: () => db.close() };
}

async function openServer(target: Target, sessions: number, statement_timeout_ms: number): Promise<SqlPool> {
  const schema = `dbsim_${process.pid}_${randomBytes(4).toString("hex")}`;
  const clients: pg.Client[] = [];
  let created = false;
  const closeAll = async (): Promise<void> => {
    if (created)
      await clients[0]?.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`).catch(() => {});
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
  };
  try {
    for (let i = 0; i < sessions; i++) {
      const client = new pg.Client({
        connectionString: target.url,
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      });
      // A connection lost mid-run surfaces on its next query; this keeps it from crashing the process.
      client.on("error", () => {});
      clients.push(client);
      await client.connect();
      if (i === 0) {
        await client.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
        created = true;
      }
      await client.query(`SET search_path TO ${quoteIdent(schema)}`);
      await client.query(`SET statement_timeout = ${Math.max(1, Math.round(statement_timeout_ms))}`);
    }
  } catch (error) {
    await closeAll();
    throw new CliError(`cannot use ${target.name}: ${errorText(error, target)}`);
  }
  const first = clients[0] as pg.Client;
  const version = shortVersion((await first.query("SELECT version() AS v")).rows[0]?.v);
  const sessionsOf = clients.map(
    (client): SqlSession => ({
      query: async (text, params) => {
        const result = await client.query(text, params === undefined ? undefined : [...params]);
        return { rows: result.rows, affected: result.rowCount ?? 0 };
      },
      exec: async (text) => {
        await client.query(text);
      },
    }),
  );
  return {
    version,
    session: (client) => {
      const session = sessionsOf[client];
      if (session === undefined) throw new RangeError(`no session ${client}`);
      return session;
    },
    busy_us: () => null,
    close: closeAll,
  };
}

/** version() up to its platform: "PostgreSQL 15.18 (Debian 15.18-0+deb12u1)", "PostgreSQL 19.0 (PGlite 0.6.1)". */
function shortVersion(version: unknown): string {
  return typeof version === "string" ? (version.split(" on ")[0] as string) : "PostgreSQL (version unknown)";
}
