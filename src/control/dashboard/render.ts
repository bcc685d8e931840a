// /dashboard: the whole page rendered on the server from DashboardData, self-contained (inline CSS, no
// script, nothing fetched from elsewhere; serve.ts sends a Content-Security-Policy that forbids both).
import { Html, html, iso, span } from "./html";
import { timeline } from "./timeline";
import type { DashboardData, TableView } from "./types";

// A literal of this file, passed through unescaped.
const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
header{background:#1d2330;color:#fff;padding:12px 20px}header h1{margin:0;font-size:18px}header p{margin:4px 0 0}
main{padding:12px 20px;display:grid;gap:14px}section.table{background:#fff;border:1px solid #d8dce3;border-radius:6px;padding:12px 16px}
h2{margin:0 0 6px;font-size:16px}.badge{display:inline-block;padding:1px 8px;border-radius:10px;background:#e4e8ef;margin-right:6px}
.phase{background:#dfe9ff}.serving-convex{background:#d8f5df}.serving-postgres{background:#ffe9d6}.error{color:#a01515}
.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:10px 24px}h3{font-size:13px;margin:10px 0 4px;color:#555}
ul,ol{margin:0;padding-left:18px}li.done{color:#176b2c}li.todo{color:#888}time{font-family:monospace;font-size:12px;color:#555}
.timeline{position:relative;height:18px;background:#eceff3;border-radius:3px;margin:4px 0}
.timeline span{position:absolute;top:0;height:18px}.streak{background:#9fe0ae}.mark{width:3px}.mark.clean{background:#1d8a3a}.mark.drift{background:#d0312d}
.now{width:2px;background:#1d2330}.gate{width:2px;background:#7a4df0}.axis{display:flex;justify-content:space-between;font-size:11px;color:#777}
.green{color:#176b2c}.amber{color:#9a6200}.red{color:#a01515}li.run.drift{color:#a01515}table.dl{border-collapse:collapse;font-size:12px}
table.overview{background:#fff;border:1px solid #d8dce3;border-collapse:collapse}table.overview td,table.overview th{padding:3px 10px;border-bottom:1px solid #eee;text-align:left}
table.dl td,table.dl th{border-bottom:1px solid #eee;padding:2px 6px;text-align:left;vertical-align:top}`;

function serving(t: TableView): Html {
  if (t.percent === 0) return html`<span class="badge serving-postgres">reads: PostgreSQL</span>`;
  if (t.unfit.length) return html`<span class="badge serving-postgres">reads: PostgreSQL (fallback: ${t.unfit.join("; ")})</span>`;
  return html`<span class="badge serving-convex">reads: Convex for ${t.percent}% of callers</span>`;
}

function tableSection(d: DashboardData, t: TableView): Html {
  const checklist = t.checklist.map(
    (c) => html`<li class="${c.at === null ? "todo" : "done"}" data-item="${c.item}"><span class="item">${c.item}</span> ${c.at === null ? "—" : html`<time>${iso(c.at)}</time> <span class="proof">${c.proof ?? ""}</span>`}</li>`,
  );
  const dead = t.deadLetters.recent.map(
    (e) =>
      html`<tr>
        <td><time>${iso(e.at)}</time></td>
        <td>${e.key}</td>
        <td>${e.code}</td>
        <td>${e.reason}</td>
      </tr>`,
  );
  const events = t.events.map((e) => html`<li><time>${iso(e.at)}</time> <b class="kind">${e.kind}</b> by ${e.actor}: <span class="detail">${e.detail}</span></li>`);
  return html`<section class="table" id="t-${t.table}" data-table="${t.table}">
    <h2>${t.table}</h2>
    <p>
      <span class="badge phase" data-field="phase">${t.phase}</span><span class="badge" data-field="percent">flag ${t.percent}%</span>${serving(t)}<span class="badge" data-field="lag">lag ${d.sidecar.lagSeconds} s (limit ${d.maxLagSeconds} s)</span>
    </p>
    <div class="cols">
      <div>
        <h3>Checklist</h3>
        <ul class="checklist">
          ${checklist}
        </ul>
      </div>
      <div>
        <h3>Parity against the ${d.gateDays}-day gate</h3>
        ${timeline(t, d.gateDays, d.generatedAt)}
      </div>
      <div>
        <h3>Dead letters: <span data-field="dead-letters">${t.deadLetters.count}</span> unresolved</h3>
        ${
          dead.length
            ? html`<table class="dl">
                <tr>
                  <th>at</th>
                  <th>key</th>
                  <th>code</th>
                  <th>reason</th>
                </tr>
                ${dead}
              </table>`
            : html`<p class="none">none</p>`
        }
      </div>
      <div>
        <h3>Recent events</h3>
        ${
          events.length
            ? html`<ol class="events">
                ${events}
              </ol>`
            : html`<p class="none">none</p>`
        }
      </div>
    </div>
  </section>`;
}

/** One line per table at the top, linking to its section. */
function overview(d: DashboardData): Html {
  const rows = d.tables.map(
    (t) =>
      html`<tr data-table="${t.table}">
        <td><a href="#t-${t.table}">${t.table}</a></td>
        <td>${t.phase}</td>
        <td>${t.percent}%</td>
        <td>${t.percent > 0 && t.unfit.length === 0 ? "Convex" : "PostgreSQL"}</td>
        <td>${t.deadLetters.count}</td>
        <td>${t.parity.greenSince === null ? "not green" : `green ${span(d.generatedAt - t.parity.greenSince)}`}</td>
      </tr>`,
  );
  return html`<table class="overview">
    <tr>
      <th>table</th>
      <th>phase</th>
      <th>flag</th>
      <th>reads</th>
      <th>dead letters</th>
      <th>parity</th>
    </tr>
    ${rows}
  </table>`;
}

export function renderDashboard(d: DashboardData, opts: { refreshSeconds?: number } = {}): string {
  const s = d.sidecar;
  const hb = d.heartbeat ? `heartbeat in Convex ${span(d.generatedAt - d.heartbeat.at)} ago (lag ${d.heartbeat.lagSeconds} s)` : "no heartbeat in Convex";
  const refresh = opts.refreshSeconds ? html`<meta http-equiv="refresh" content="${opts.refreshSeconds}" />` : null;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        ${refresh}
        <title>pg2convex · ${d.slot}</title>
        <style>
          ${new Html(CSS)}
        </style>
      </head>
      <body>
        <header>
          <h1>pg2convex migration · slot ${d.slot}</h1>
          <p id="sidecar">sidecar <b data-field="sidecar-phase">${s.phase}</b>${s.role ? ` (${s.role})` : ""} · health <b data-field="health">${s.status}</b> · lag ${s.lagSeconds} s · ${hb} · rendered <time>${iso(d.generatedAt)}</time></p>
          ${s.degraded.map((r) => html`<p class="degraded">degraded: ${r}</p>`)}
        </header>
        <main>${d.convexError ? html`<p class="error" id="convex-error">Convex could not be read: ${d.convexError}</p>` : null} ${d.tables.length ? overview(d) : null} ${d.tables.map((t) => tableSection(d, t))}</main>
      </body>
    </html> `.text;
}
