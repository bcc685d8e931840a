#!/usr/bin/env node
// The pg2convex command. From a checkout (src/ present) it runs the TypeScript sources, so the dev flow has no
// build step; from an installed package it runs the compiled dist/ (src/ is not published). tsx's hooks are
// registered either way: users' definitions modules and convex/ folders are TypeScript.
import { existsSync } from "node:fs";
import { register as registerHooks } from "node:module";
import { register } from "tsx/esm/api";

const source = new URL("../src/cli/main.ts", import.meta.url);
register();
if (existsSync(source)) {
  // "pg2convex" imported by a module outside the checkout (a scratch app whose node_modules/pg2convex links
  // here) resolves to these sources too, not to a dist/ that may be stale or absent (package.json exports).
  const hook = `export function resolve(s, c, next) { return next(s, { ...c, conditions: [...c.conditions, "pg2convex-source"] }); }`;
  registerHooks(`data:text/javascript,${encodeURIComponent(hook)}`);
  await import(source.href);
} else {
  await import("../dist/src/cli/main.js");
}
