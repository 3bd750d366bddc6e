// The bank on a real database: the scenario's BankWorkload (the transfers and reads a simulated run
// at the seed draws). A read reads every balance at once. A transfer, with `transfer: transaction`,
// is one atomic call: PostgreSQL's dbsim_transfer function (locks both accounts in key order, checks
// the balance, moves the money) or a Lua script on Redis (scripts run alone); with
// `read_then_write`, what a client without transactions does: read both balances, then write both
// (four round trips; concurrent transfers may overwrite each other, as in the simulation).

import type { BankOperation, BankWorkload } from "../../workloads/generators/bank/bank-workload.js";
import { OK, type Outcome, type RealOperation, type RealWorkload } from "./driver.js";
import { errorOutcome } from "./outcome.js";
import type { RedisPool } from "./redis-pool.js";
import { BANK_SQL, BANK_TABLE, bankCreateSql } from "./sql.js";
import type { SqlPool } from "./sql-pool.js";

/** Accounts per statement while loading. */
const LOAD_BATCH = 10_000;

export interface BankStore {
  load(accounts: readonly string[], balance: number): Promise<void>;
  /** false: the source holds less than `amount` (nothing moved). */
  transfer(client: number, from: string, to: string, amount: number): Promise<boolean>;
  readAll(client: number): Promise<void>;
  read(client: number, account: string): Promise<number>;
  write(client: number, account: string, balance: number): Promise<void>;
}

export function sqlBankStore(pool: SqlPool): BankStore {
  return {
    async load(accounts, balance) {
      const admin = pool.session(0);
      for (const statement of bankCreateSql()) await admin.exec(statement);
      for (let from = 0; from < accounts.length; from += LOAD_BATCH) {
        const batch = accounts.slice(from, from + LOAD_BATCH);
        const tuples = batch.map((_, i) => `($${2 * i + 1}, $${2 * i + 2})`);
        await admin.query(
          `INSERT INTO ${BANK_TABLE} VALUES ${tuples.join(", ")}`,
          batch.flatMap((account) => [account, balance]),
        );
      }
      await admin.exec(`VACUUM ANALYZE ${BANK_TABLE}`);
    },
    async transfer(client, from, to, amount) {
      const result = await pool.session(client).query(BANK_SQL.transfer, [from, to, amount]);
      return result.rows[0]?.ok === true;
    },
    async readAll(client) {
      await pool.session(client).query(BANK_SQL.readAll);
    },
    async read(client, account) {
      const result = await pool.session(client).query(BANK_SQL.read, [account]);
      return Number(result.rows[0]?.balance ?? 0);
    },
    async write(client, account, balance) {
      await pool.session(client).query(BANK_SQL.write, [account, balance]);
    },
  };
}

/** KEYS[1] the source, KEYS[2] the destination, ARGV[1] the amount; 1 moved, 0 short of money. */
const TRANSFER_LUA = `local available = tonumber(redis.call('GET', KEYS[1]) or '0')
local amount = tonumber(ARGV[1])
if available < amount then return 0 end
redis.call('DECRBY', KEYS[1], amount)
redis.call('INCRBY', KEYS[2], amount)
return 1`;

export function redisBankStore(pool: RedisPool, accounts: readonly string[]): BankStore {
  return {
    async load(names, balance) {
      for (let from = 0; from < names.length; from += LOAD_BATCH) {
        const batch = names.slice(from, from + LOAD_BATCH);
        await pool.session(0).mset(Object.fromEntries(batch.map((name) => [name, String(balance)])));
      }
    },
    async transfer(client, from, to, amount) {
      return (await pool.session(client).eval(TRANSFER_LUA, 2, from, to, amount)) === 1;
    },
    async readAll(client) {
      await pool.session(client).mget(...accounts);
    },
    async read(client, account) {
      return Number((await pool.session(client).get(account)) ?? 0);
    },
    async write(client, account, balance) {
      await pool.session(client).set(account, String(balance));
    },
  };
}

export interface BankRealOperation extends RealOperation {
  readonly bank: BankOperation;
}

export class BankReal implements RealWorkload<BankRealOperation> {
  private readonly bank: BankWorkload;
  private readonly store: BankStore;

  constructor(bank: BankWorkload, store: BankStore) {
    this.bank = bank;
    this.store = store;
  }

  load(): Promise<void> {
    return this.store.load(this.bank.keys, this.bank.config.initial_balance);
  }

  next(intended_us: number): BankRealOperation {
    const bank = this.bank.next(intended_us);
    return { op: bank.kind, key: bank.key, bank };
  }

  async run(op: BankRealOperation, client: number): Promise<Outcome> {
    const { bank } = op;
    try {
      if (bank.kind === "read") {
        await this.store.readAll(client);
        return OK;
      }
      const to = bank.to[0] as string; // one account: checkTargetFits refuses more
      if (this.bank.config.transfer === "transaction") {
        const moved = await this.store.transfer(client, bank.from, to, bank.amount);
        return moved ? OK : { result: "fail", error: "insufficient_funds" };
      }
      const from = await this.store.read(client, bank.from);
      const toBalance = await this.store.read(client, to);
      if (from < bank.amount) return { result: "fail", error: "insufficient_funds" };
      await this.store.write(client, bank.from, from - bank.amount);
      try {
        await this.store.write(client, to, toBalance + bank.amount);
      } catch (error) {
        // Half done: the money left the source.
        const outcome = errorOutcome(error);
        return outcome.result === "ok" ? outcome : { result: "info", error: outcome.error };
      }
      return OK;
    } catch (error) {
      return errorOutcome(error);
    }
  }

  finished(): void {}
}
