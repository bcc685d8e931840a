// Parity's concurrent per-table re-checks share one connection through the same serializing wrapper.
export { serialQueries } from "../postgres/serial-queries";
