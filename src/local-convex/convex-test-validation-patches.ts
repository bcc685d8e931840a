// Text patches (applied with ./convex-test-patches.ts, same rules) that give convex-test's validator errors
// what the Convex backend's carry: the table of a refused document and the path of the failing value
// ("Failed to insert or update a document in table "story" because it does not match the schema: … Path:
// .name"; arguments: "ArgumentValidationError: … Path: .ops[3].t"). Which values pass is unchanged: the
// patches only catch, annotate and re-throw.
import type { Patch } from "./convex-test-patches";

export const VALIDATION_PATCHES: Patch[] = [
  {
    name: "validateValidator: path of an object field",
    find: "                    validateValidator(fieldType, value[k]);\n",
    replace: "                    try {\n                        validateValidator(fieldType, value[k]);\n                    }\n                    catch (e) {\n                        throw __pg2convexAtPath(e, `.${k}`);\n                    }\n",
  },
  {
    name: "validateValidator: path of an array element",
    find: "            for (const v of value) {\n                validateValidator(validator.value, v);\n            }\n",
    replace:
      "            for (let __i = 0; __i < value.length; __i++) {\n                try {\n                    validateValidator(validator.value, value[__i]);\n                }\n" +
      "                catch (e) {\n                    throw __pg2convexAtPath(e, `[${__i}]`);\n                }\n            }\n",
  },
  {
    name: "_validate: name the table, as the backend does",
    find: "        validateValidator(validator, resolvePendingValues(doc));\n",
    replace:
      "        try {\n            validateValidator(validator, resolvePendingValues(doc));\n        }\n        catch (e) {\n" +
      '            throw __pg2convexWithPath(e, `Failed to insert or update a document in table "${tableName}" because it does not match the schema: `);\n        }\n',
  },
  {
    name: "validateFunctionArgs: ArgumentValidationError with the path",
    find: "    validateValidator(argsValidator, resolvePendingValues(args));\n",
    replace: '    try {\n        validateValidator(argsValidator, resolvePendingValues(args));\n    }\n    catch (e) {\n        throw __pg2convexWithPath(e, "ArgumentValidationError: ");\n    }\n',
  },
];

export const VALIDATION_TRAILER = `
function __pg2convexAtPath(e, segment) {
    if (e instanceof Error) {
        e.__pg2convexPath = segment + (e.__pg2convexPath ?? "");
    }
    return e;
}
function __pg2convexWithPath(e, prefix) {
    if (!(e instanceof Error)) {
        return e;
    }
    const path = e.__pg2convexPath;
    return new Error(prefix + e.message + (path ? "\\nPath: " + path : ""));
}
`;
