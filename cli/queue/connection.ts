// The Redis a distributed sweep and its workers share (`--queue redis://...`, `dbsim worker
// redis://...`): the URL parsed and described without credentials (cli/real/target.ts), a first
// connection checked within a bounded wait, and the options BullMQ opens its connections with. ioredis reads the
// password, the database number and TLS (`rediss://`) from the URL itself.

import { Redis } from "ioredis";
import { CliError } from "../errors.js";
import { errorText, parseTarget, type Target } from "../real/target.js";

/** How long a first connection may take before the command gives up (one line, exit 2). */
export const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Parses a queue URL, or `env:NAME` for the URL in environment variable NAME (which keeps the
 * password out of the process list); anything but redis:// or rediss:// is one line that never
 * quotes the URL.
 */
export function parseQueueUrl(text: string, option: string): Target {
  const env = /^env:(.*)$/.exec(text)?.[1];
  if (env !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(env))
      throw new CliError(`${option}: env:NAME names an environment variable (letters, digits, _)`);
    const value = process.env[env];
    if (value === undefined || value === "")
      throw new CliError(`${option}: the environment variable ${env} is not set`);
    return parseRedisUrl(value, `${option} (${env})`);
  }
  return parseRedisUrl(text, option);
}

function parseRedisUrl(text: string, option: string): Target {
  if (!/^rediss?:\/\//i.test(text)) {
    throw new CliError(
      `${option}: expected redis://[[user]:password@]host[:port][/db], rediss://... (TLS) or env:NAME`,
    );
  }
  return parseTarget(text, option);
}

/**
 * BullMQ's connection options: it opens its own connections from them (a blocking one per worker
 * and listener), with `maxRetriesPerRequest: null` as it requires, reconnecting after a blip.
 */
export function bullConnection(target: Target): {
  url: string;
  maxRetriesPerRequest: null;
  connectTimeout: number;
} {
  return { url: target.url, maxRetriesPerRequest: null, connectTimeout: CONNECT_TIMEOUT_MS };
}

/**
 * Connects and pings within CONNECT_TIMEOUT_MS, or throws one line (exit 2) naming the server
 * without credentials and the wait. Returns a connection for the long run: it reconnects after a
 * blip, and its commands wait for the server meanwhile.
 */
export async function connectQueue(target: Target, option: string): Promise<Redis> {
  let lastError: unknown = null;
  const probe = new Redis(target.url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on("error", (error) => {
    lastError = error;
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer in ${CONNECT_TIMEOUT_MS / 1000} s`)),
      CONNECT_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([probe.connect().then(() => probe.ping()), timeout]);
  } catch (error) {
    throw new CliError(
      `${option} ${target.name}: cannot connect (waited at most ${CONNECT_TIMEOUT_MS / 1000} s): ${errorText(lastError ?? error, target)}`,
    );
  } finally {
    clearTimeout(timer);
    probe.disconnect();
  }
  const redis = new Redis(target.url, { maxRetriesPerRequest: null, connectTimeout: CONNECT_TIMEOUT_MS });
  redis.on("error", () => {}); // met again by the commands; this keeps ioredis from logging it
  return redis;
}

/** `promise`, or a rejection after `limit_ms` (a Redis gone for good must not hold a command forever). */
export async function within<T>(limit_ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${limit_ms / 1000} s`)), limit_ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
