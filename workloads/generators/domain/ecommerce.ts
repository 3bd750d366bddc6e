// The ecommerce domain workload: customers, products, orders and their items.
//
// API: createEcommerce(knobs?): DomainWorkload (see domain.ts), ECOMMERCE_KNOBS, ECOMMERCE_TEMPLATES.
//
// Tables:
//   customers   (id int PK, name string, email string, region string, created_at timestamp)
//   products    (id int PK, name string, category string, price float, stock int)
//   orders      (id int PK, customer_id int, status string, created_at timestamp, total float)
//   order_items (order_id int, line int, product_id int, quantity int, price float; PK order_id, line)
// Initial data: `customers` customers, `products` products, customers x orders_per_customer orders
// spread evenly over the `history_days` before the run (ids in time order, each for a uniformly
// drawn customer; status by age: the newest pending, then paid, shipped, mostly delivered, 5%
// cancelled), each with 1..items_per_order items.
//
// Templates (default weights):
//   orders_by_customer         0.30  SELECT * FROM orders WHERE customer_id = ?
//   recent_orders_by_customer  0.30  SELECT id, status, created_at, total FROM orders
//                                    WHERE customer_id = ? ORDER BY created_at DESC LIMIT 10
//   orders_by_status_in_range  0.10  SELECT * FROM orders WHERE status = ? AND created_at >= ?
//                                    AND created_at < ? + status_window_days
//   new_order                  0.20  INSERT an order and its 1..items_per_order items (one batch)
//   update_order_status        0.10  UPDATE orders SET status = ? WHERE id = ? (any order so far)
// Customers and orders are drawn uniformly.
// Suggested indexes: orders (customer_id, created_at) [serves the first two], orders (status,
// created_at) [the third].

import type { IndexDefinition } from "../../../engine/query/indexes.js";
import { eq, ge, lt } from "../../../engine/query/query.js";
import type { TableSchema } from "../../../engine/query/schema.js";
import type { Rng } from "../../../sim/rng.js";
import {
  DAY_US,
  DEFAULT_EPOCH_US,
  type DomainWorkload,
  type GeneratedQuery,
  type InitialRow,
  type KnobSpec,
  pickWeighted,
  resolveKnobs,
  TemplateMix,
  type TemplateSpec,
  templateInfos,
  WorkloadClock,
} from "./domain.js";

export const ECOMMERCE_KNOBS = {
  customers: {
    default: 1000,
    min: 1,
    max: 10_000_000,
    integer: true,
    description: "Customers in the initial data.",
  },
  products: {
    default: 200,
    min: 1,
    max: 1_000_000,
    integer: true,
    description: "Products in the catalogue.",
  },
  orders_per_customer: {
    default: 10,
    min: 0,
    max: 1000,
    integer: true,
    description: "Initial orders per customer (on average; each order's customer is drawn uniformly).",
  },
  items_per_order: {
    default: 4,
    min: 1,
    max: 100,
    integer: true,
    description: "Most items per order (1..this, uniform).",
  },
  history_days: {
    default: 90,
    min: 1,
    max: 3650,
    integer: true,
    description: "Days before the run that the initial orders span.",
  },
  status_window_days: {
    default: 7,
    min: 1,
    max: 3650,
    integer: true,
    description: "Length in days of the date range of orders_by_status_in_range.",
  },
  recent_limit: {
    default: 10,
    min: 1,
    max: 10_000,
    integer: true,
    description: "LIMIT of recent_orders_by_customer.",
  },
} as const satisfies Record<string, KnobSpec>;

export const ECOMMERCE_TEMPLATES: readonly TemplateSpec[] = [
  { name: "orders_by_customer", weight: 0.3, description: "A customer's orders." },
  {
    name: "recent_orders_by_customer",
    weight: 0.3,
    description: "A customer's latest orders, newest first (ORDER BY created_at DESC LIMIT recent_limit).",
  },
  {
    name: "orders_by_status_in_range",
    weight: 0.1,
    description: "Orders of one status created in a date range.",
  },
  { name: "new_order", weight: 0.2, description: "A new order and its items (one batch)." },
  { name: "update_order_status", weight: 0.1, description: "An order moves to a new status." },
];

export const ORDER_STATUSES = ["pending", "paid", "shipped", "delivered", "cancelled"] as const;
const STATUS_QUERY_WEIGHTS = [0.25, 0.25, 0.25, 0.15, 0.1];
const STATUS_UPDATE = ["paid", "shipped", "delivered", "cancelled"] as const;
const STATUS_UPDATE_WEIGHTS = [0.3, 0.3, 0.3, 0.1];
const REGIONS = ["eu", "us", "asia", "latam", "africa"] as const;
const CATEGORIES = ["books", "music", "garden", "toys", "kitchen", "sports", "tools", "games"] as const;

export const ECOMMERCE_TABLES: readonly TableSchema[] = [
  {
    name: "customers",
    columns: [
      { name: "id", type: "int" },
      { name: "name", type: "string", bytes: 16 },
      { name: "email", type: "string", bytes: 24 },
      { name: "region", type: "string", bytes: 6 },
      { name: "created_at", type: "timestamp" },
    ],
    primary_key: ["id"],
  },
  {
    name: "products",
    columns: [
      { name: "id", type: "int" },
      { name: "name", type: "string", bytes: 24 },
      { name: "category", type: "string", bytes: 8 },
      { name: "price", type: "float" },
      { name: "stock", type: "int" },
    ],
    primary_key: ["id"],
  },
  {
    name: "orders",
    columns: [
      { name: "id", type: "int" },
      { name: "customer_id", type: "int" },
      { name: "status", type: "string", bytes: 9 },
      { name: "created_at", type: "timestamp" },
      { name: "total", type: "float" },
    ],
    primary_key: ["id"],
  },
  {
    name: "order_items",
    columns: [
      { name: "order_id", type: "int" },
      { name: "line", type: "int" },
      { name: "product_id", type: "int" },
      { name: "quantity", type: "int" },
      { name: "price", type: "float" },
    ],
    primary_key: ["order_id", "line"],
  },
];

export const ECOMMERCE_INDEXES: readonly IndexDefinition[] = [
  { name: "orders_by_customer_created", table: "orders", columns: ["customer_id", "created_at"] },
  { name: "orders_by_status_created", table: "orders", columns: ["status", "created_at"] },
];

/** A product's price: fixed by its id, 5.00 .. 954.90. */
export function productPrice(id: number): number {
  return 5 + ((id * 7919) % 9500) / 10;
}

function statusByAge(ageFraction: number, rng: Rng): string {
  if (rng.float() < 0.05) return "cancelled";
  if (ageFraction < 0.01) return "pending";
  if (ageFraction < 0.03) return "paid";
  if (ageFraction < 0.06) return "shipped";
  return "delivered";
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

export function createEcommerce(
  given?: Readonly<Record<string, unknown>>,
  epoch_us = DEFAULT_EPOCH_US,
): DomainWorkload {
  const { knobs, mix: weights } = resolveKnobs(ECOMMERCE_KNOBS, ECOMMERCE_TEMPLATES, given);
  const mix = new TemplateMix(weights, ECOMMERCE_TEMPLATES);
  const clock = new WorkloadClock(epoch_us);
  const history_us = knobs.history_days * DAY_US;
  const window_us = knobs.status_window_days * DAY_US;
  const initialOrders = knobs.customers * knobs.orders_per_customer;
  let orderCount = initialOrders;

  function items(rng: Rng, orderId: number): { rows: Record<string, number>[]; total: number } {
    const n = rng.intBetween(1, knobs.items_per_order);
    const rows: Record<string, number>[] = [];
    let total = 0;
    for (let line = 0; line < n; line++) {
      const product = rng.int(knobs.products);
      const quantity = rng.intBetween(1, 5);
      const price = productPrice(product);
      total += quantity * price;
      rows.push({ order_id: orderId, line, product_id: product, quantity, price });
    }
    return { rows, total: round2(total) };
  }

  function* initialData(rng: Rng): IterableIterator<InitialRow> {
    for (let id = 0; id < knobs.customers; id++) {
      yield {
        table: "customers",
        row: {
          id,
          name: `customer${id}`,
          email: `customer${id}@example.com`,
          region: REGIONS[rng.int(REGIONS.length)] as string,
          created_at: epoch_us - history_us - rng.int(365) * DAY_US,
        },
      };
    }
    for (let id = 0; id < knobs.products; id++) {
      yield {
        table: "products",
        row: {
          id,
          name: `product${id}`,
          category: CATEGORIES[rng.int(CATEGORIES.length)] as string,
          price: productPrice(id),
          stock: rng.int(1000),
        },
      };
    }
    for (let id = 0; id < initialOrders; id++) {
      const created_at = epoch_us - history_us + Math.floor((id * history_us) / initialOrders);
      const order = items(rng, id);
      yield {
        table: "orders",
        row: {
          id,
          customer_id: rng.int(knobs.customers),
          status: statusByAge((epoch_us - created_at) / history_us, rng),
          created_at,
          total: order.total,
        },
      };
      for (const row of order.rows) yield { table: "order_items", row };
    }
  }

  function next(rng: Rng, now_us?: number): GeneratedQuery {
    const now = clock.tick(now_us);
    const template = mix.pick(rng);
    switch (template) {
      case "orders_by_customer":
        return {
          template,
          query: { kind: "select", table: "orders", where: [eq("customer_id", rng.int(knobs.customers))] },
        };
      case "recent_orders_by_customer":
        return {
          template,
          query: {
            kind: "select",
            table: "orders",
            columns: ["id", "status", "created_at", "total"],
            where: [eq("customer_id", rng.int(knobs.customers))],
            order_by: [{ column: "created_at", direction: "desc" }],
            limit: knobs.recent_limit,
          },
        };
      case "orders_by_status_in_range": {
        const status = ORDER_STATUSES[pickWeighted(rng, STATUS_QUERY_WEIGHTS)] as string;
        const earliest = epoch_us - history_us;
        const from = earliest + Math.floor(rng.float() * Math.max(0, now - window_us - earliest));
        return {
          template,
          query: {
            kind: "select",
            table: "orders",
            where: [eq("status", status), ge("created_at", from), lt("created_at", from + window_us)],
          },
        };
      }
      case "new_order": {
        const id = orderCount++;
        const order = items(rng, id);
        return {
          template,
          query: {
            kind: "batch",
            queries: [
              {
                kind: "insert",
                table: "orders",
                rows: [
                  {
                    id,
                    customer_id: rng.int(knobs.customers),
                    status: "pending",
                    created_at: now,
                    total: order.total,
                  },
                ],
              },
              { kind: "insert", table: "order_items", rows: order.rows },
            ],
          },
        };
      }
      default: {
        const status = STATUS_UPDATE[pickWeighted(rng, STATUS_UPDATE_WEIGHTS)] as string;
        return {
          template,
          query: {
            kind: "update",
            table: "orders",
            where: [eq("id", rng.int(Math.max(1, orderCount)))],
            set: { status },
          },
        };
      }
    }
  }

  return {
    type: "ecommerce",
    tables: ECOMMERCE_TABLES,
    templates: templateInfos(ECOMMERCE_TEMPLATES, weights),
    suggested_indexes: ECOMMERCE_INDEXES,
    knobs,
    mix: weights,
    epoch_us,
    initialData,
    next,
  };
}
