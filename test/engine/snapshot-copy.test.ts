// What a follower installs from a snapshot: independent copies of a table and a query database.

import { describe, expect, it } from "vitest";
import { eq } from "../../engine/query/query.js";
import { Table } from "../../engine/table.js";
import { ordersDb } from "./query/fixtures.js";

describe("snapshot copies", () => {
  it("a table's copy holds every key, field and version, and changes apart from it", () => {
    const table = new Table({ fieldCount: 3, fanout: 8 });
    for (let i = 0; i < 500; i++) table.insert(`k${i}`, i + 1);
    table.write(table.find("k7"), 1, 9999);
    table.remove("k9");
    const copy = table.copy();
    const rows = (t: Table) => {
      const out: [string, number, number, number, number][] = [];
      t.index.scan("", Number.POSITIVE_INFINITY, (key, row) => {
        out.push([key, t.version(row), t.fieldStamp(row, 0), t.fieldStamp(row, 1), t.fieldStamp(row, 2)]);
      });
      return out;
    };
    expect(rows(copy)).toEqual(rows(table));
    expect(copy.rowCount).toBe(499);
    copy.write(copy.find("k1"), -1, 5);
    copy.insert("new", 6);
    expect(table.version(table.find("k1"))).toBe(2);
    expect(table.find("new")).toBe(-1);
    copy.index.checkInvariants();
  });

  it("a query database's copy has the same rows and indexes, and changes apart from it", () => {
    const db = ordersDb([{ name: "by_customer", table: "orders", columns: ["customer_id"] }]);
    db.execute({ kind: "update", table: "orders", where: [eq("id", 5)], set: { status: "paid" } });
    const copy = db.copy();
    expect(copy.rows("orders")).toEqual(db.rows("orders"));
    expect(copy.indexes()).toEqual(db.indexes());
    expect(copy.storage()).toEqual(db.storage());
    copy.checkConsistency();
    copy.execute({ kind: "delete", table: "orders", where: [eq("id", 5)] });
    expect(copy.rowCount("orders")).toBe(db.rowCount("orders") - 1);
  });
});
