import { sql } from "drizzle-orm";
import { rowsOf, type EngineDb } from "@/lib/inngest/embedded/sql";

export const TABLES = ["inngest_events", "inngest_runs", "inngest_steps", "inngest_attempts", "inngest_queue"] as const;

export interface TableSize {
  table: string;
  rows: number;
  tableBytes: number;
  indexBytes: number;
}

/** Heap (with TOAST) and index bytes per engine table, and its exact row count. */
export async function tableSizes(db: EngineDb): Promise<TableSize[]> {
  const out: TableSize[] = [];
  for (const table of TABLES) {
    const [row] = rowsOf<{ rows: string; t: string; i: string }>(
      await db.execute(sql`
        select (select count(*) from ${sql.identifier(table)}) as rows,
          pg_table_size(${table}::regclass) as t, pg_indexes_size(${table}::regclass) as i`),
    );
    out.push({ table, rows: Number(row!.rows), tableBytes: Number(row!.t), indexBytes: Number(row!.i) });
  }
  return out;
}

export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
