// The parity timeline of one table against the gate: a bar over [now - gate, now + gate] with the current
// green streak shaded, one mark per parity run (clean or drift), "now", and where the gate is (or will be)
// met if the streak holds; below it the runs as a list (the bar is a picture, the list is the record).
import { html, iso, span, type Html } from "./html";
import type { TableView } from "./types";

const RUNS_LISTED = 10;

export function timeline(t: TableView, gateDays: number, now: number): Html {
  const gateMs = Math.max(gateDays, 1 / 24) * 86_400_000;
  const from = now - gateMs;
  const pos = (ms: number) => `${Math.min(100, Math.max(0, ((ms - from) / (2 * gateMs)) * 100)).toFixed(2)}%`;
  const p = t.parity;
  const streak = p.greenSince === null ? null : html`<span class="streak" style="left:${pos(p.greenSince)};width:calc(${pos(now)} - ${pos(p.greenSince)})"></span>`;
  const marks = p.runs.filter((r) => r.startedAt >= from).map((r) => html`<span class="mark ${r.verdict === "drift" ? "drift" : "clean"}" style="left:${pos(r.startedAt)}" title="${iso(r.startedAt)} ${r.mode} ${r.verdict}"></span>`);
  const gate = p.gateMetAt === null ? null : html`<span class="gate" style="left:${pos(p.gateMetAt)}" title="gate met at ${iso(p.gateMetAt)}"></span>`;
  const verdict =
    p.greenSince === null
      ? html`<span class="gate-state red">parity not green</span>`
      : p.gateMetAt !== null && p.gateMetAt <= now
        ? html`<span class="gate-state green">parity green for ${span(now - p.greenSince)}: the ${gateDays} d gate is met (since ${iso(p.gateMetAt)})</span>`
        : html`<span class="gate-state amber">parity green for ${span(now - p.greenSince)} of the ${gateDays} d gate (met at ${iso(p.gateMetAt)} if it holds)</span>`;
  const runs = p.runs
    .slice(0, RUNS_LISTED)
    .map((r) => html`<li class="run ${r.verdict === "drift" ? "drift" : "clean"}"><time>${iso(r.startedAt)}</time> ${r.mode} <b>${r.verdict}</b>${r.verdict === "drift" ? ` (${r.drift}: ${r.summary})` : ""}</li>`);
  return html`<div class="parity">
    <div class="timeline" aria-label="parity timeline">${streak}${marks}<span class="now" style="left:50%"></span>${gate}</div>
    <div class="axis"><span>${iso(from)}</span><span>now</span><span>${iso(now + gateMs)}</span></div>
    ${verdict}
    ${
      runs.length
        ? html`<ol class="runs">
            ${runs}
          </ol>`
        : html`<p class="none">no parity run yet</p>`
    }
  </div>`;
}
