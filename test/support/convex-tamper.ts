// Test-only: edits mirrored documents behind the bridge's back, so parity tests can inject drift the way a
// bug or a stray write would. NOT part of defineMirrorFunctions: only the project's own test/demo
// deployment (convex/mirror.ts) exports it, and every call must carry TAMPER_CONFIRMATION. It writes
// exactly what it is told: no versions, tombstones, derived fields or reference ids are maintained.
import { internalMutationGeneric } from "convex/server";
import { v, type GenericId } from "convex/values";
import type { TableSet } from "../../src/definitions/types";
import { VERSION_FIELD } from "../../src/definitions/types";
import { mirrorConfig } from "../../src/mirror-functions/config";
import { PK_INDEX } from "../../src/mirror-functions/names";

/** Literal every debugTamper call must pass. */
export const TAMPER_CONFIRMATION = "corrupt the mirror on purpose (tests only)";

export function defineMirrorTestFunctions(tables: TableSet) {
  const config = mirrorConfig(tables);
  return {
    debugTamper: internalMutationGeneric({
      args: {
        confirm: v.literal(TAMPER_CONFIRMATION),
        table: v.string(),
        key: v.array(v.any()),
        /** patch: set fields on the document; delete: remove it; insert: add a document with these fields. */
        action: v.union(v.literal("patch"), v.literal("delete"), v.literal("insert")),
        fields: v.optional(v.any()),
      },
      handler: async (ctx, args) => {
        const def = config.table(args.table).def;
        const doc = await ctx.db
          .query(def.convexName)
          .withIndex(PK_INDEX, (q: any) => def.primaryKey.reduce((acc: any, c, i) => acc.eq(c, args.key[i] ?? null), q))
          .first();
        const id = doc?._id as GenericId<any> | undefined;
        if (args.action === "insert") return await ctx.db.insert(def.convexName, { [VERSION_FIELD]: 1n, ...(args.fields ?? {}) });
        if (!id) throw new Error(`debugTamper: no ${def.name} document with key ${JSON.stringify(args.key)}`);
        if (args.action === "delete") await ctx.db.delete(def.convexName, id);
        else await ctx.db.patch(def.convexName, id, args.fields ?? {});
        return id;
      },
    }),
  };
}
