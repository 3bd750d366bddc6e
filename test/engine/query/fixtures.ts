// Small fixed tables for planner and executor tests.

import { Database } from "../../../engine/query/database.js";
import type { IndexDefinition } from "../../../engine/query/indexes.js";
import type { TableSchema } from "../../../engine/query/schema.js";

export const STATUSES = ["new", "paid", "shipped", "done"] as const;

export const ORDERS: TableSchema = {
  name: "orders",
  columns: [
    { name: "id", type: "int" },
    { name: "customer_id", type: "int" },
    { name: "status", type: "string" },
    { name: "created_at", type: "timestamp" },
    { name: "total", type: "float" },
  ],
  primary_key: ["id"],
};

export const ORDER_ITEMS: TableSchema = {
  name: "order_items",
  columns: [
    { name: "order_id", type: "int" },
    { name: "line", type: "int" },
    { name: "qty", type: "int" },
  ],
  primary_key: ["order_id", "line"],
};

/**
 * 200 orders (ids 0..199; 20 customers with 10 orders each; 4 statuses; created_at 1,000,000 +
 * 1000 x id; total (id mod 50) + 0.25) with 3 items each, every tree at fan-out 8.
 */
export function ordersDb(indexes: IndexDefinition[] = []): Database {
  const db = new Database({ fanout: 8, tables: [ORDERS, ORDER_ITEMS], indexes });
  for (let id = 0; id < 200; id++) {
    db.load("orders", {
      id,
      customer_id: (id * 7) % 20,
      status: STATUSES[(id * 3 + (id >> 2)) % 4] as string,
      created_at: 1_000_000 + id * 1000,
      total: (id % 50) + 0.25,
    });
    for (let line = 0; line < 3; line++) db.load("order_items", { order_id: id, line, qty: line + 1 });
  }
  return db;
}
