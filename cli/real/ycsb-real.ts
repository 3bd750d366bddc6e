// YCSB A-F on a real database: the scenario's YcsbWorkload (the keys and operations a simulated
// run at the seed draws) executed on PostgreSQL (usertable, one column per field) or Redis (one hash
// per record, and a sorted set of the keys for scans, as YCSB's Redis binding keeps).

import type { YcsbOperation, YcsbWorkload } from "../../workloads/generators/ycsb/core-workload.js";
import { OK, type Outcome, type RealOperation, type RealWorkload } from "./driver.js";
import { errorOutcome } from "./outcome.js";
import type { RedisPool } from "./redis-pool.js";
import { YCSB_TABLE, ycsbCreateSql, ycsbFieldNames, ycsbFieldValue, ycsbStatements } from "./sql.js";
import type { SqlPool } from "./sql-pool.js";

/** What YCSB does to a store, one call per request. */
export interface YcsbStore {
  /** Creates the table (or nothing) and loads `keys` with every field holding `value`. */
  load(keys: readonly string[], value: string): Promise<void>;
  read(client: number, key: string): Promise<void>;
  update(client: number, key: string, field: number, value: string): Promise<void>;
  insert(client: number, key: string, value: string): Promise<void>;
  scan(client: number, key: string, count: number): Promise<void>;
}

/** Rows per INSERT while loading (at most 65,535 parameters a statement). */
function loadBatch(fields: number): number {
  return Math.max(1, Math.min(1000, Math.floor(60_000 / (fields + 1))));
}

export function sqlYcsbStore(pool: SqlPool, fields: number): YcsbStore {
  const sql = ycsbStatements(fields);
  const names = ycsbFieldNames(fields);
  return {
    async load(keys, value) {
      const admin = pool.session(0);
      await admin.exec(ycsbCreateSql(fields));
      const batch = loadBatch(fields);
      for (let from = 0; from < keys.length; from += batch) {
        const rows = keys.slice(from, from + batch);
        const params: string[] = [];
        const tuples = rows.map((key, row) => {
          params.push(key, ...names.map(() => value));
          const first = row * (fields + 1) + 1;
          return `(${Array.from({ length: fields + 1 }, (_, i) => `$${first + i}`).join(", ")})`;
        });
        await admin.query(`INSERT INTO ${YCSB_TABLE} VALUES ${tuples.join(", ")}`, params);
      }
      await admin.exec(`VACUUM ANALYZE ${YCSB_TABLE}`);
    },
    async read(client, key) {
      await pool.session(client).query(sql.read, [key]);
    },
    async update(client, key, field, value) {
      await pool.session(client).query(sql.update(field), [key, value]);
    },
    async insert(client, key, value) {
      await pool.session(client).query(sql.insert, [key, ...names.map(() => value)]);
    },
    async scan(client, key, count) {
      await pool.session(client).query(sql.scan, [key, count]);
    },
  };
}

/** The sorted set of every record's key (score 0: ordered by key), which scans read. */
const KEY_INDEX = "usertable:keys";
const REDIS_LOAD_BATCH = 1000;

export function redisYcsbStore(pool: RedisPool, fields: number): YcsbStore {
  const names = ycsbFieldNames(fields);
  const hash = (value: string): Record<string, string> => Object.fromEntries(names.map((n) => [n, value]));
  return {
    async load(keys, value) {
      const redis = pool.session(0);
      for (let from = 0; from < keys.length; from += REDIS_LOAD_BATCH) {
        const pipeline = redis.pipeline();
        for (const key of keys.slice(from, from + REDIS_LOAD_BATCH)) {
          pipeline.hset(key, hash(value));
          pipeline.zadd(KEY_INDEX, 0, key);
        }
        await pipeline.exec();
      }
    },
    async read(client, key) {
      await pool.session(client).hgetall(key);
    },
    async update(client, key, field, value) {
      await pool.session(client).hset(key, names[field] as string, value);
    },
    async insert(client, key, value) {
      await pool.session(client).multi().hset(key, hash(value)).zadd(KEY_INDEX, 0, key).exec();
    },
    async scan(client, key, count) {
      const redis = pool.session(client);
      const keys = await redis.zrangebylex(KEY_INDEX, `[${key}`, "+", "LIMIT", 0, count);
      const pipeline = redis.pipeline();
      for (const k of keys) pipeline.hgetall(k);
      await pipeline.exec();
    },
  };
}

export interface YcsbRealOperation extends RealOperation {
  readonly ycsb: YcsbOperation;
}

/** YCSB's operations on a store: read-modify-write is a read, then an update (two round trips). */
export class YcsbReal implements RealWorkload<YcsbRealOperation> {
  private readonly ycsb: YcsbWorkload;
  private readonly store: YcsbStore;
  private readonly fieldLength: number;
  /** Writes so far: each write's value is its number, as the simulated driver stamps them. */
  private writes = 0;

  constructor(ycsb: YcsbWorkload, store: YcsbStore) {
    this.ycsb = ycsb;
    this.store = store;
    this.fieldLength = ycsb.config.fieldLength;
  }

  /** Loads the records of YCSB's load phase (every field of each holds the value of write 0). */
  async load(): Promise<void> {
    const keys = Array.from({ length: this.ycsb.config.records }, (_, n) => this.ycsb.loadKey(n));
    await this.store.load(keys, ycsbFieldValue(0, this.fieldLength));
  }

  next(): YcsbRealOperation {
    const ycsb = this.ycsb.nextOperation();
    return { op: ycsb.kind, key: ycsb.key, ycsb };
  }

  async run(op: YcsbRealOperation, client: number): Promise<Outcome> {
    const { ycsb } = op;
    try {
      switch (ycsb.kind) {
        case "read":
          await this.store.read(client, ycsb.key);
          break;
        case "update":
          await this.store.update(client, ycsb.key, ycsb.field, this.value());
          break;
        case "insert":
          await this.store.insert(client, ycsb.key, this.value());
          break;
        case "scan":
          await this.store.scan(client, ycsb.key, ycsb.scanLength);
          break;
        case "rmw":
          await this.store.read(client, ycsb.key);
          await this.store.update(client, ycsb.key, ycsb.field, this.value());
          break;
      }
    } catch (error) {
      return errorOutcome(error);
    }
    return OK;
  }

  finished(op: YcsbRealOperation): void {
    if (op.ycsb.kind === "insert") this.ycsb.acknowledgeInsert(op.ycsb.keynum); // as YCSB: whatever the outcome
  }

  private value(): string {
    return ycsbFieldValue(++this.writes, this.fieldLength);
  }
}
