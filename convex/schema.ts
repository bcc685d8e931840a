// The project's own Convex deployment mirrors the reference schema (tables/reference.ts).
import { defineSchema } from "convex/server";
import { mirrorTables } from "../src/mirror-functions";
import { referenceTables } from "../tables/reference";

export default defineSchema(mirrorTables(referenceTables));
