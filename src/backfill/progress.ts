// Backfill progress: a redrawn bar on a terminal, periodic log lines otherwise. Several tables may be copied
// at once (schedule.ts): each keeps its own figures; the bar shows the table that moved last.
import type { Logger } from "../log";

export interface Progress {
  start(table: string, estimatedRows: number, already: number): void;
  update(table: string, rows: number): void;
  done(): void;
}

export function createProgress(logger: Logger, stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = stream.isTTY === true && !process.env.CI;
  const tables = new Map<string, { table: string; total: number; started: number; lastLog: number; first: number }>();
  let current = { table: "", total: 0, started: 0, lastLog: 0, first: 0 };
  const line = (rows: number) => {
    const pct = current.total > 0 ? Math.min(100, Math.floor((rows / current.total) * 100)) : 100;
    const width = 24;
    const filled = Math.round((pct / 100) * width);
    const seconds = (Date.now() - current.started) / 1000;
    const rate = seconds > 0 ? Math.round((rows - current.first) / seconds) : 0;
    return `backfill ${current.table.padEnd(16)} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(pct).padStart(3)}% ${rows.toLocaleString("en-US")}/${Math.max(rows, current.total).toLocaleString("en-US")} rows ${rate.toLocaleString("en-US")} rows/s`;
  };
  return {
    start(table, estimatedRows, already) {
      if (tty && current.table) stream.write("\n");
      current = { table, total: estimatedRows, started: Date.now(), lastLog: 0, first: already };
      tables.set(table, current);
      if (!tty) logger.info({ table, estimatedRows, resumedAt: already }, "backfill: copying table");
    },
    update(table, rows) {
      if (tty && current.table !== table && current.table) stream.write("\n");
      current = tables.get(table) ?? current;
      if (tty) {
        stream.write(`\r${line(rows)}`);
      } else if (Date.now() - current.lastLog > 5000) {
        current.lastLog = Date.now();
        logger.info({ table, rows, estimatedRows: current.total }, "backfill progress");
      }
    },
    done() {
      if (tty && current.table) stream.write("\n");
    },
  };
}
