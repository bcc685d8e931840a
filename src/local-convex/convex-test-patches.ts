// The exact text patches applied to convex-test 0.0.60's dist/index.js (see ./fast-convex-test.ts).
// Each `find` must occur exactly once. They add call sites into FastIndex (./fast-index.ts) and
// leave every result-producing line of convex-test in place: candidates are still filtered by its
// evaluateRangeFilter, sorted by its comparator and paged by its loop.

export interface Patch {
  name: string;
  find: string;
  replace: string;
}

/** Stock's result sort; moved verbatim into __pg2convexSortDocs so cached orders use the same code. */
const SORT_BLOCK =
  '        results.sort((a, b) => {\n            const orderMultiplier = order === "asc" ? 1 : -1;\n            let v = 0;\n' +
  "            for (const fp of fieldPathsToSortBy) {\n                v = compareValues(evaluateFieldPath(fp, a), evaluateFieldPath(fp, b));\n" +
  "                if (v !== 0) {\n                    return v * orderMultiplier;\n                }\n            }\n            return v * orderMultiplier;\n        });\n";

const RANGE_SCAN =
  "                this._iterateDocs(tableName, (doc) => {\n" + "                    if (source.range.every((filter) => evaluateRangeFilter(doc, filter))) {\n                        results.push(doc);\n                    }\n                });\n";

export const PATCHES: Patch[] = [
  {
    name: "constructor: attach FastIndex",
    find: "        this.validateSchema();\n    }",
    replace: "        this.validateSchema();\n        this.__fast = __pg2convexFactory(this);\n    }",
  },
  {
    name: "_addWrite: record the write per level",
    find: "        this._writes[this._writes.length - 1][id] = newValue;\n",
    replace: "        this._writes[this._writes.length - 1][id] = newValue;\n" + "        this.__fast.onWrite(this._writes[this._writes.length - 1], id, newValue);\n",
  },
  {
    // The only place `_documents` changes: keep per-table id sets, hash indexes and caches in step.
    name: "commit: maintain committed indexes",
    find:
      "            if (this._writes.length === 0) {\n                if (write === null) {\n                    delete this._documents[_id];\n                }\n" +
      "                else {\n                    this._documents[_id] =\n                        commitTs === null ? write : resolveCommittedValues(write, commitTs);\n                }\n            }\n",
    replace:
      "            if (this._writes.length === 0) {\n                const __before = this._documents[_id];\n                if (write === null) {\n                    delete this._documents[_id];\n                }\n" +
      "                else {\n                    this._documents[_id] =\n                        commitTs === null ? write : resolveCommittedValues(write, commitTs);\n                }\n" +
      "                this.__fast.onCommit(_id, __before, this._documents[_id]);\n            }\n",
  },
  {
    name: "_iterateDocs: visit only the table's ids",
    find:
      "        const isInTable = (id) => tableNameFromId(id) === tableName;\n        const ids = new Set(Object.keys(this._documents).filter(isInTable));\n" +
      "        for (let i = 0; i < this._writes.length; i++) {\n            for (const id of Object.keys(this._writes[i]).filter(isInTable)) {\n                ids.add(id);\n            }\n        }\n",
    replace: "        const ids = this.__fast.tableIds(tableName, this._writes);\n",
  },
  {
    name: "_resolveQuerySource: presorted flag",
    find: "        const results = [];\n        let fieldPathsToSortBy;\n        let order;\n        switch (source.type) {\n",
    replace: "        const results = [];\n        let fieldPathsToSortBy;\n        let order;\n        let __presorted = false;\n        switch (source.type) {\n",
  },
  {
    name: "_resolveQuerySource: cached order for full table scans",
    find:
      "                const tableName = source.tableName;\n                this._iterateDocs(tableName, (doc) => {\n                    results.push(doc);\n                });\n" +
      '                order = source.order ?? "asc";\n                fieldPathsToSortBy = ["_creationTime"];\n                break;\n',
    replace:
      '                const tableName = source.tableName;\n                order = source.order ?? "asc";\n                fieldPathsToSortBy = ["_creationTime"];\n' +
      '                const __sorted = this.__fast.sorted(tableName, fieldPathsToSortBy, order, this._writes, (docs) => __pg2convexSortDocs(docs, ["_creationTime"], order));\n' +
      "                if (__sorted !== null) {\n                    for (const doc of __sorted) {\n                        results.push(doc);\n                    }\n                    __presorted = true;\n                }\n" +
      "                else {\n                    this._iterateDocs(tableName, (doc) => {\n                        results.push(doc);\n                    });\n                }\n                break;\n",
  },
  {
    name: "_resolveQuerySource: hash look-up for leading eq's, cached order otherwise",
    find: "                validateIndexRangeExpression(source, fields);\n" + RANGE_SCAN,
    replace:
      "                validateIndexRangeExpression(source, fields);\n" +
      "                const __visit = (doc) => {\n" +
      "                    if (source.range.every((filter) => evaluateRangeFilter(doc, filter))) {\n                        results.push(doc);\n                    }\n                };\n" +
      "                const __candidates = this.__fast.candidates(tableName, indexName, source.range, this._writes);\n" +
      "                const __sorted = __candidates === null ? this.__fast.sorted(tableName, fields, order, this._writes, (docs) => __pg2convexSortDocs(docs, fields, order)) : null;\n" +
      "                if (__candidates !== null) {\n                    for (const id of __candidates) {\n                        const doc = this.get(tableName, id);\n" +
      "                        if (doc !== null) {\n                            __visit(doc);\n                        }\n                    }\n                }\n" +
      "                else if (__sorted !== null) {\n                    const [__lo, __hi] = this.__fast.rangeBounds(__sorted, source.range, order);\n" +
      "                    for (let __i = __lo; __i < __hi; __i++) {\n                        __visit(__sorted[__i]);\n                    }\n                    __presorted = true;\n                }\n" +
      "                else {\n                    this._iterateDocs(tableName, __visit);\n                }\n",
  },
  {
    name: "_resolveQuerySource: skip the sort when presorted",
    find: SORT_BLOCK,
    replace: "        if (!__presorted) {\n            __pg2convexSortDocs(results, fieldPathsToSortBy, order);\n        }\n",
  },
  {
    // Stock skips docs one by one until one is after the cursor. When the docs are sorted by the
    // cursor fields (index ranges: the sort fields end with _id), "after the cursor" is monotone
    // along them, so a binary search finds the same first doc; the loop then re-checks it as before.
    name: "paginate: binary search for the cursor",
    find: "        for (let i = 0; i < sortedDocs.length; i++) {\n            const doc = sortedDocs[i];\n            const isLastDoc = i === sortedDocs.length - 1;\n",
    replace:
      "        let __start = 0;\n" +
      '        if (!isInPage && cursorKeys && cursor !== "_end_cursor" && fieldPathsToSortBy[fieldPathsToSortBy.length - 1] === "_id") {\n' +
      "            let __hi = sortedDocs.length;\n            while (__start < __hi) {\n                const __mid = (__start + __hi) >>> 1;\n" +
      "                if (this._docIsAfterCursor(sortedDocs[__mid], cursorKeys, cursorFields, order) > 0) {\n                    __hi = __mid;\n                }\n" +
      "                else {\n                    __start = __mid + 1;\n                }\n            }\n        }\n" +
      "        for (let i = __start; i < sortedDocs.length; i++) {\n            const doc = sortedDocs[i];\n            const isLastDoc = i === sortedDocs.length - 1;\n",
  },
  {
    // Each convex-test copy points global.Convex at its own context store; the last to install would
    // strand the other ("No active convexTest context"). Ours stays installed as an accessor and hands
    // calls made outside its own context to whichever copy came before or after it (e.g. stock).
    name: "ensureGlobalProxy: coexist with another convex-test copy",
    find:
      "    global.Convex = {\n        get syscall() {\n            return getConvexGlobal().syscall;\n        },\n        get asyncSyscall() {\n            return getConvexGlobal().asyncSyscall;\n        },\n" +
      "        get jsSyscall() {\n            return getConvexGlobal().jsSyscall;\n        },\n    };\n",
    replace:
      "    let __other = global.Convex;\n" +
      "    const __current = () => (convexGlobalStorage.getStore() === undefined && __other ? __other : getConvexGlobal());\n" +
      "    const __ours = {\n        get syscall() {\n            return __current().syscall;\n        },\n        get asyncSyscall() {\n            return __current().asyncSyscall;\n        },\n" +
      "        get jsSyscall() {\n            return __current().jsSyscall;\n        },\n    };\n" +
      '    Object.defineProperty(global, "Convex", { configurable: true, enumerable: true, get: () => __ours, set: (v) => { __other = v; } });\n',
  },
  {
    // What the top-level transaction used (index ranges, documents and bytes read and written), kept for the
    // executor to report per mutation (LocalConvex.mutations()).
    name: "TransactionManager.commit: keep the transaction's metrics",
    find: "        this._metricsTracker?.commit();\n",
    replace: "        if (!isNested && this._metricsTracker) {\n            __pg2convexLastMetrics = this._metricsTracker.getTransactionMetrics();\n        }\n        this._metricsTracker?.commit();\n",
  },
  {
    // Only reached when no modules are passed (we always pass them); vite's glob means nothing in a copy.
    name: "import.meta.glob fallback",
    find: 'import.meta.glob("../../../convex/**/*.*s")',
    replace: '(() => { throw new Error("pg2convex: the patched convex-test needs explicit modules"); })()',
  },
];

/** Appended: the factory hook, the sort moved out of _resolveQuerySource, and module-private helpers. */
export const TRAILER = `
let __pg2convexFactory = () => { throw new Error("pg2convex: FastIndex factory not installed"); };
export function __pg2convexInstall(factory) { __pg2convexFactory = factory; }
export const __pg2convexInternals = { evaluateFieldPath, evaluateQueryValue, tableNameFromId };
let __pg2convexLastMetrics = null;
export function __pg2convexTakeMetrics() { const m = __pg2convexLastMetrics; __pg2convexLastMetrics = null; return m; }
function __pg2convexSortDocs(results, fieldPathsToSortBy, order) {
${SORT_BLOCK}}
`;
