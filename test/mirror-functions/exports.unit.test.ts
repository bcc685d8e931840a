// Every convex/mirror.ts in this repository (the project's own and the test apps') exports every function
// defineMirrorFunctions returns: a missing one fails only later, at run time, as CONVEX_FUNCTIONS_MISSING.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { defineMirrorFunctions } from "../../src/mirror-functions";

const FILES = ["convex/mirror.ts", "test/fixtures/floats-app/convex/mirror.ts", "test/fixtures/schema-app/convex/mirror.ts", "test/fixtures/reftype-app/convex/mirror.ts"];

describe("convex/mirror.ts exports", () => {
  const names = Object.keys(defineMirrorFunctions([]));
  for (const file of FILES)
    it(`${file} exports every mirror function`, () => {
      const text = readFileSync(new URL(`../../${file}`, import.meta.url), "utf8");
      const block = /export const \{([^}]*)\} = defineMirrorFunctions/.exec(text)?.[1] ?? "";
      const exported = new Set(
        block
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean),
      );
      expect(names.filter((n) => !exported.has(n))).toEqual([]);
    });
});
