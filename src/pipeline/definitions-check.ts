// Start-up proof that the deployment was built from the bridge's definitions (issue 12 §8): the mirror functions
// serve the canonical form of the TableSet they were deployed with (`definitions`); a different one would accept
// some batches and refuse or misfile others. Invariant: runs before anything is written to Convex; any
// difference, or a deployment that cannot say, is DEFINITIONS_MISMATCH naming the differences.
import type { ConvexClient } from "../convex-client/client";
import type { TableSet } from "../definitions/types";
import { Pg2ConvexError } from "../errors";
import { canonicalDefinitions, diffDefinitions, type DeployedDefinitions } from "../mirror-functions/definitions-hash";

const FIX =
  "deploy the Convex functions built from the definitions the bridge runs with (npx convex deploy; with pg2convex local-convex, serve your convex/ folder with --convex-dir), or run the bridge with the deployment's definitions (--tables-module)";

export async function assertSameDefinitions(client: ConvexClient, tables: TableSet): Promise<void> {
  let deployed: DeployedDefinitions;
  try {
    deployed = await client.query<DeployedDefinitions>("definitions", {});
  } catch (e) {
    if (!(e instanceof Pg2ConvexError) || e.code !== "CONVEX_FUNCTIONS_MISSING") throw e;
    throw new Pg2ConvexError("DEFINITIONS_MISMATCH", `the deployment's mirror functions do not serve their table definitions (no definitions function in the mirror module): they predate this pg2convex version`, { cause: e, fix: FIX });
  }
  const problems = diffDefinitions(canonicalDefinitions(tables), deployed);
  if (problems.length === 0) return;
  const shown = problems.slice(0, 5);
  const more = problems.length > shown.length ? `; and ${problems.length - shown.length} more` : "";
  throw new Pg2ConvexError("DEFINITIONS_MISMATCH", `the Convex deployment was built from other table definitions: ${shown.join("; ")}${more}`, { context: { differences: problems }, fix: FIX });
}
