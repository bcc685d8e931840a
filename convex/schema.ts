// The project's own Convex deployment mirrors the reference schema (src/reference/tables.ts).
import { defineSchema } from "convex/server";
import { mirrorTables } from "../src/mirror-functions";
import { referenceTables } from "../src/reference/tables";

export default defineSchema(mirrorTables(referenceTables));
