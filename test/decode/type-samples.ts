// One sample per PostgreSQL base type for the type-matrix test (test/decode/type-matrix.test.ts): the column
// type to declare and a SQL expression of a value, chosen to exercise the type's output (padding, masks,
// quoting, escapes). A base type of pg_type that has neither a sample nor an exclusion fails that test.
export interface TypeSample {
  /** The column's declared type (typmods where the bare type would be too narrow). */
  readonly column: string;
  /** A SQL expression of the sample value. */
  readonly sql: string;
}

const lit = (column: string, text: string): TypeSample => ({ column, sql: `'${text.replace(/'/g, "''")}'::${column}` });

export const TYPE_SAMPLES: Readonly<Record<string, TypeSample>> = {
  aclitem: { column: "aclitem", sql: "makeaclitem(0, 'pg_monitor'::regrole::oid, 'SELECT', false)" },
  bit: lit("bit(3)", "101"),
  bool: lit("boolean", "true"),
  box: lit("box", "(1,2),(3,4)"),
  bpchar: lit("character(5)", "ab"),
  bytea: lit("bytea", "\\xdeadbeef00"),
  char: lit('"char"', "x"),
  cid: lit("cid", "7"),
  cidr: lit("cidr", "10.1.0.0/16"),
  circle: lit("circle", "<(1,2),3>"),
  date: lit("date", "2026-11-21"),
  float4: lit("real", "1.1"),
  float8: lit("double precision", "-1e-300"),
  inet: lit("inet", "192.168.1.1"),
  int2: lit("smallint", "-12"),
  int2vector: lit("int2vector", "1 2 3"),
  int4: lit("integer", "123456"),
  int8: lit("bigint", "9007199254740993"),
  interval: lit("interval", "1 year 2 mons 3 days 04:05:06.789"),
  json: lit("json", '{"a": [1, 2.5, "x"], "b": null}'),
  jsonb: lit("jsonb", '{"b": 1, "a": [true, null]}'),
  jsonpath: lit("jsonpath", "$.a[*] ? (@ > 1)"),
  line: lit("line", "{1,2,3}"),
  lseg: lit("lseg", "[(1,2),(3,4)]"),
  macaddr: lit("macaddr", "08:00:2b:01:02:03"),
  macaddr8: lit("macaddr8", "08:00:2b:01:02:03:04:05"),
  money: lit("money", "12.34"),
  name: lit("name", "a name"),
  numeric: lit("numeric", "1.50"),
  oid: lit("oid", "4294967295"),
  oidvector: lit("oidvector", "1 2 3"),
  path: lit("path", "[(1,2),(3,4)]"),
  pg_lsn: lit("pg_lsn", "16/B374D848"),
  pg_snapshot: lit("pg_snapshot", "10:20:10,14,15"),
  point: lit("point", "(1.5,-2)"),
  polygon: lit("polygon", "((0,0),(1,1),(1,0))"),
  refcursor: lit("refcursor", "cur"),
  regclass: lit("regclass", "pg_class"),
  regcollation: lit("regcollation", '"C"'),
  regconfig: lit("regconfig", "english"),
  regdictionary: lit("regdictionary", "simple"),
  regnamespace: lit("regnamespace", "pg_catalog"),
  regoper: lit("regoper", "||/"),
  regoperator: lit("regoperator", "+(integer,integer)"),
  regproc: lit("regproc", "now"),
  regprocedure: lit("regprocedure", "sum(integer)"),
  regrole: lit("regrole", "pg_monitor"),
  regtype: lit("regtype", "integer"),
  text: lit("text", 'hello, "world" \\ {x}'),
  tid: lit("tid", "(1,2)"),
  time: lit("time", "04:05:06.789"),
  timestamp: lit("timestamp", "2026-11-21 12:00:00.123456"),
  timestamptz: lit("timestamptz", "2026-11-21 12:00:00.123456+02"),
  timetz: lit("timetz", "04:05:06+02"),
  tsquery: lit("tsquery", "fat & (rat | cat)"),
  tsvector: lit("tsvector", "a fat cat sat"),
  txid_snapshot: lit("txid_snapshot", "10:20:10,14,15"),
  uuid: lit("uuid", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"),
  varbit: lit("bit varying", "10101"),
  varchar: lit("character varying(10)", "v "),
  xid: lit("xid", "42"),
  xid8: lit("xid8", "42"),
  xml: lit("xml", "<a>b &amp; c</a>"),
};

/**
 * Base types that cannot be stored in a table column, so they have no sample. The rule (checked by the test):
 * a base type without an array type is internal (planner statistics and BRIN summaries: their input function
 * refuses every value), and gtsvector is a GiST storage type whose input function is not implemented.
 */
export const NOT_STORABLE = new Set(["gtsvector"]);
