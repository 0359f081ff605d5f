// The verdict panel for editors: one badge word shared with the sentence, evidence as
// sentences per aircraft (by registration), absent fleet members folded into one line,
// Copy verdict, Save image and a permalink. All text goes in with textContent.
import { TERM_HELP, VERDICT_TERMS, translate } from "./i18n.js";
import { el, inZone, isoUtc, locale, parseIso } from "./util.js";

/** observed-supported | inferred-supported | contradicted | unverifiable */
export function verdictKey(v) {
  if (v.term) return v.term;
  if (v.verdict !== "supported") return v.verdict;
  return verdictBasis(v) === "inferred" ? "inferred-supported" : "observed-supported";
}

/** "inferred" when any deciding event was inferred (an inferred "supported" never reads as observed). */
export function verdictBasis(v) {
  if (v.basis) return v.basis;
  const events = (v.evidence && v.evidence.events) || [];
  if (events.some((e) => e.basis === "inferred")) return "inferred";
  return /inferred/.test(v.rule || "") ? "inferred" : "observed";
}

export function verdictWord(v, lang) {
  const terms = VERDICT_TERMS[lang] || VERDICT_TERMS.en;
  return terms[verdictKey(v)] || v.verdict;
}

// The server names each airport as the verdict sentence and the bulletins do, in the verdict's
// language (``place``: "Toulouse (LFBO)"); the airport's own English name only as a fallback.
function airportText(ap) {
  if (!ap) return "";
  const name = ap.place || ap.name;
  return name ? `${name} (${ap.icao})` : ap.icao;
}

/**
 * Sentences about each aircraft the verdict rests on: [{who, lines: [..]}], plus one line
 * for the fleet members that are not in the data at all.
 * ``ctx``: {lang, tz (reader), label(hex) → "RA-96017 (157711)"}.
 */
export function evidenceSentences(v, ctx) {
  const t = (k, vars) => translate(ctx.lang, k, vars);
  const ev = v.evidence || {};
  const absent = new Set(ev.members_not_in_data || []);
  const utc = (iso) => { const s = parseIso(iso); return s == null ? "–" : isoUtc(s); };
  const local = (iso, tz) => { const s = parseIso(iso); return s == null ? "–" : inZone(s, tz || ctx.tz, ctx.lang, true); };
  const stateOf = (p) => {
    if (p.on_ground) return p.airport ? t("e_ground_at", { ap: airportText(p.airport) }) : t("e_ground");
    return t("e_air", { alt: p.altitude_baro_ft == null ? "–" : Number(p.altitude_baro_ft).toLocaleString(locale(ctx.lang)) });
  };
  const out = [];
  for (const m of ev.members || []) {
    if (absent.has(m.icao24)) continue;
    const lines = [];
    for (const e of m.events || []) {
      const what = translate(ctx.lang, "ev_" + e.type);
      // a landing that names no airport lists every airport within reach (issue 9)
      const aps = (e.candidates || []).join(", ");
      const where = e.airport ? `${t("at_place")} ${airportText(e.airport)}`
        : (e.country ? `${t("in_country")} ${e.country}` : (aps ? t("within_reach", { aps }) : ""));
      const zone = (e.airport && e.airport.tz) || (e.details && e.details.tz);
      lines.push(t("e_event", { what, where, utc: utc(e.time),
        local: local(e.time, zone), basis: t(e.basis || "observed") }).replace("  ", " "));
    }
    const fix = (key, p) => lines.push(t(key, { utc: utc(p.time), state: stateOf(p),
      lat: Number(p.lat).toFixed(3), lon: Number(p.lon).toFixed(3) }));
    if (m.last_fix_before) fix("e_before", m.last_fix_before);
    if (m.first_fix_after) fix("e_after", m.first_fix_after);
    if (m.gap) {
      if (m.gap.start && m.gap.end) lines.push(t("e_gap", { start: utc(m.gap.start), end: utc(m.gap.end) }));
      else if (m.gap.start) lines.push(t("e_gap_open", { start: utc(m.gap.start), end: v.data_through ? utc(v.data_through) : "–" }));
      else lines.push(t("e_gap_none"));
    }
    out.push({ hex: m.icao24, who: ctx.label(m.icao24), lines });
  }
  const absentLine = absent.size
    ? t("e_absent", { n: absent.size, list: [...absent].map((h) => ctx.label(h)).join(", ") }) : null;
  return { members: out, absentLine };
}

/** The text put on the clipboard by Copy verdict. */
export function verdictText(v, ctx, permalink) {
  const { members, absentLine } = evidenceSentences(v, ctx);
  const lines = [v.summary, ""];
  for (const m of members) for (const l of m.lines) lines.push(`${m.who}: ${l}`);
  if (absentLine) lines.push(absentLine);
  lines.push("", `${translate(ctx.lang, "datathrough")}: ${v.data_through ? utc0(v.data_through) : "–"}`);
  lines.push(permalink);
  return lines.join("\n");
}
const utc0 = (iso) => { const s = parseIso(iso); return s == null ? "–" : isoUtc(s); };

/**
 * Render ``v`` into ``out``. ``actions``: {permalink() → url, copy(text), saveImage()}.
 */
export function renderVerdict(out, v, ctx, actions) {
  const t = (k, vars) => translate(ctx.lang, k, vars);
  const key = verdictKey(v);
  out.replaceChildren();
  out.append(el("div", { class: `verdict v-${key}`, id: "v-badge", "data-key": key, text: verdictWord(v, ctx.lang) }));
  const meaning = (TERM_HELP[ctx.lang] || TERM_HELP.en || {})[key];
  if (meaning) out.append(el("span", { class: "muted v-meaning", id: "v-meaning", text: ` ${meaning}` }));
  out.append(el("p", { class: "summary", id: "v-summary", text: v.summary }));
  const asOf = parseIso(v.as_of);
  if (asOf != null) {
    out.append(el("div", { class: "muted", id: "v-asof",
      text: `${t("asof")}: ${isoUtc(asOf)} · ${inZone(asOf, ctx.tz, ctx.lang, true)}` }));
  }
  const { members, absentLine } = evidenceSentences(v, ctx);
  const box = el("details", { open: true }, el("summary", { text: t("evidence") }));
  for (const m of members) {
    const ul = el("ul", { class: "evidence" });
    for (const l of m.lines) ul.append(el("li", { text: l }));
    box.append(el("div", { class: "ev-member", "data-hex": m.hex }, el("h3", { text: m.who }), ul));
  }
  if (absentLine) box.append(el("p", { class: "absent", id: "v-absent", text: absentLine }));
  out.append(box);
  out.append(el("div", { class: "muted through", id: "v-through",
    text: `${t("datathrough")}: ${v.data_through ? utc0(v.data_through) : "–"}` }));
  const link = actions.permalink();
  const bar = el("div", { class: "v-actions" });
  const copy = el("button", { type: "button", id: "v-copy", text: t("copy") });
  copy.addEventListener("click", async () => {
    await actions.copy(verdictText(v, ctx, actions.permalink()));
    copy.textContent = t("copied");
  });
  const save = el("button", { type: "button", id: "v-save", text: t("saveimg") });
  save.addEventListener("click", () => actions.saveImage(v));
  bar.append(copy, save, el("a", { id: "v-permalink", href: link, text: t("permalink") }));
  out.append(bar);
}
