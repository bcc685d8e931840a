// Tool identity for reports (JSON, SARIF) and the ESLint plugin's meta.
import { createRequire } from "node:module";

export const TOOL_NAME = "pg2convex-lint";
export const TOOL_VERSION: string = (createRequire(import.meta.url)("../../package.json") as { version: string }).version;
