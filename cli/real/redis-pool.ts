// Connections to a Redis target, one per logical client (a transfer's script and a scan's reads run
// on the client's own connection). dbsim's keys all start with a prefix of its own, made for the
// run; after it, the keys under that prefix are deleted and no other key is touched.

import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { CliError } from "../errors.js";
import { errorText, type Target } from "./target.js";

export interface RedisPool {
  /** Redis's redis_version. */
  readonly version: string;
  /** The connection of logical client `client`; every key it names gets the run's prefix. */
  session(client: number): Redis;
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 10_000;
/** Keys deleted per command when cleaning up. */
const DELETE_BATCH = 1000;

/** The last error each connection met: a refused connect surfaces as "Connection is closed." otherwise. */
const lastErrors = new WeakMap<Redis, unknown>();

function connection(target: Target, keyPrefix: string): Redis {
  const redis = new Redis(target.url, {
    lazyConnect: true,
    keyPrefix,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // Fail at once rather than queue and retry: a lost server is an error of the operation.
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  });
  // Errors surface on the command that meets them; this keeps ioredis from logging them.
  redis.on("error", (error) => lastErrors.set(redis, error));
  return redis;
}

export async function openRedisPool(target: Target, sessions: number): Promise<RedisPool> {
  const prefix = `dbsim:${process.pid}:${randomBytes(4).toString("hex")}:`;
  const admin = connection(target, "");
  const clients: Redis[] = [];
  const disconnectAll = (): void => {
    for (const c of [admin, ...clients]) c.disconnect();
  };
  let version = "";
  try {
    await admin.connect();
    const info = await admin.info("server");
    version = `Redis ${/redis_version:(\S+)/.exec(info)?.[1] ?? "(version unknown)"}`;
    for (let i = 0; i < sessions; i++) {
      const client = connection(target, prefix);
      clients.push(client);
      await client.connect();
    }
  } catch (error) {
    const cause = [admin, ...clients].map((c) => lastErrors.get(c)).find((e) => e !== undefined) ?? error;
    disconnectAll();
    throw new CliError(`cannot use ${target.name}: ${errorText(cause, target)}`);
  }
  return {
    version,
    session: (client) => {
      const redis = clients[client];
      if (redis === undefined) throw new RangeError(`no session ${client}`);
      return redis;
    },
    close: async () => {
      try {
        let cursor = "0";
        do {
          const [next, keys] = await admin.scan(cursor, "MATCH", `${prefix}*`, "COUNT", DELETE_BATCH);
          if (keys.length > 0) await admin.unlink(...keys);
          cursor = next;
        } while (cursor !== "0");
      } finally {
        disconnectAll();
      }
    },
  };
}
