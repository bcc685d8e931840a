// HTML escaping for the dashboard. Every piece of data (table names, reasons, event details, keys: user-
// controlled text) goes through esc() or attr(); markup is only ever built from literals around them.
const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export const esc = (value: unknown): string => String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]!);

/** A tagged template that escapes every interpolated value, except nested Html (already escaped markup). */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += (Array.isArray(v) ? v : [v]).map((x) => (x instanceof Html ? x.text : x === null || x === undefined || x === false ? "" : esc(x))).join("");
    out += strings[i + 1]!;
  });
  return new Html(out);
}

export const iso = (ms: number | null): string => (ms === null ? "—" : new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z"));

/** "12 s", "3 min", "2.5 h", "1.20 d" */
export function span(ms: number): string {
  const s = Math.abs(ms) / 1000;
  return s < 120 ? `${Math.round(s)} s` : s < 7200 ? `${Math.round(s / 60)} min` : s < 172_800 ? `${(s / 3600).toFixed(1)} h` : `${(s / 86_400).toFixed(2)} d`;
}
