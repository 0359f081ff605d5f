// Small helpers shared by the map's modules: DOM, fetch, time formatting.
// Everything from the feed or the store is put on the page as text (textContent), never as HTML.

export const $ = (id) => document.getElementById(id);

/** A new element with text (never parsed as HTML) and attributes. */
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

export async function getJSON(url, opts) {
  const r = await fetch(url, opts);
  const body = await r.json().catch(() => ({ error: r.statusText }));
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}

const pad = (n) => String(n).padStart(2, "0");

/** "2024-06-18 17:20:11 UTC" */
export function isoUtc(s) {
  const d = new Date(s * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`;
}
export function inputValue(s) { return isoUtc(s).slice(0, 19); }
/** "2024-06-18 17:20[:SS][Z]" (UTC) → epoch seconds, or null. */
export function fromInput(v) {
  const t = Date.parse(String(v).trim().replace(" ", "T").replace(/Z$/i, "") + "Z");
  return isNaN(t) ? null : t / 1000;
}
/** ISO 8601 (with Z or an offset) → epoch seconds, or null. */
export function parseIso(v) {
  const t = Date.parse(String(v));
  return isNaN(t) ? null : t / 1000;
}

// Chromium's ICU has no Nynorsk date patterns everywhere; Bokmål's are the same for our uses.
const LOCALES = { en: "en-GB", nb: "nb-NO", nn: "nb-NO" };
export const locale = (lang) => LOCALES[lang] || "en-GB";

/** The zone's name as people read it: "CEST", else "Korean Standard Time, Pyongyang". */
export function zoneName(s, tz, lang) {
  const loc = LOCALES[lang] || "en-GB";
  const part = (style) => {
    try {
      return new Intl.DateTimeFormat(loc, { timeZone: tz, timeZoneName: style })
        .formatToParts(new Date(s * 1000)).find((p) => p.type === "timeZoneName")?.value || "";
    } catch (e) { return ""; }
  };
  // Abbreviations (CEST, BST) read the same in every language: take them from en-GB.
  let short = "";
  try {
    short = new Intl.DateTimeFormat("en-GB", { timeZone: tz, timeZoneName: "short" })
      .formatToParts(new Date(s * 1000)).find((p) => p.type === "timeZoneName")?.value || "";
  } catch (e) { short = ""; }
  const city = tz === "UTC" ? "" : (tz.split("/").pop() || "").replace(/_/g, " ");
  // "GMT+9" / "UTC+9" say nothing a reader recognises: use the long name and the city.
  if (short && !/^(GMT|UTC)[+−-]/.test(short)) return short;
  const long = part("long");
  return [long || short, city].filter(Boolean).join(", ");
}

/**
 * Time at ``tz`` with the zone's name; the date is shown when ``withDate`` or when the local
 * day differs from the UTC day (02:20 in Pyongyang is the next day).
 */
export function inZone(s, tz, lang, withDate) {
  const loc = LOCALES[lang] || "en-GB";
  try {
    const day = (zone) => new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric",
      month: "2-digit", day: "2-digit" }).format(new Date(s * 1000));
    const dated = withDate || day(tz) !== day("UTC");
    const opts = { timeZone: tz, hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
    if (dated) Object.assign(opts, { day: "numeric", month: "short" });
    // Norwegian writes the clock with a full stop (Språkrådet: "kl. 08.02"), as the bulletins
    // do (i18n/format.py::clock); ICU's nb pattern has a colon, so the separator is set here.
    const sep = lang === "nb" || lang === "nn" ? "." : null;
    const parts = new Intl.DateTimeFormat(loc, opts).formatToParts(new Date(s * 1000));
    const text = parts.map((p, i) => (sep && p.type === "literal" && parts[i - 1]?.type === "hour"
      && parts[i + 1]?.type === "minute" ? sep : p.value)).join("");
    return `${text} ${zoneName(s, tz, lang)}`;
  } catch (e) { return "–"; }
}

/** Great-circle distance in nautical miles. */
export function distanceNm(lat1, lon1, lat2, lon2) {
  const r = Math.PI / 180;
  const a = Math.sin((lat2 - lat1) * r / 2) ** 2 +
    Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin((lon2 - lon1) * r / 2) ** 2;
  return 2 * 3440.065 * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** tar1090's altitude colour scale (HSL hue by altitude; ground grey-brown). */
export function altitudeColour(altFt) {
  if (altFt === "ground") return "hsl(30, 30%, 40%)";
  if (typeof altFt !== "number" || !isFinite(altFt)) return "hsl(0, 0%, 45%)";
  // tar1090 (config.js ColorByAlt): hue 20 at 2,000 ft rising to 300 at 40,000 ft; we darken
  // the lightness to 40 % so a trail stays visible on the light land fill.
  const stops = [[2000, 20], [10000, 140], [40000, 300]];
  let h = stops[0][1];
  if (altFt >= stops[stops.length - 1][0]) h = stops[stops.length - 1][1];
  else {
    for (let i = 1; i < stops.length; i++) {
      const [a0, h0] = stops[i - 1], [a1, h1] = stops[i];
      if (altFt < a1) { h = altFt <= a0 ? h0 : h0 + (h1 - h0) * (altFt - a0) / (a1 - a0); break; }
    }
  }
  // Hue in 10° steps: a trail is a few dozen lines rather than one per fix.
  return `hsl(${Math.round(h / 10) * 10}, 85%, 40%)`;
}

// A withdrawal (docs/fields.md) -> the type of the event it takes back.
const WITHDRAWS = { landing_withdrawn: "landing", fleet_landed_withdrawn: "fleet_landed" };
export const WITHDRAWAL_TYPES = Object.keys(WITHDRAWS);

/** The events taken back by these withdrawals: "type|icao24|time" -> the withdrawal. A landing
 * inferred when the signal was lost, withdrawn when the aircraft was seen again, is never shown
 * as a plain landing (#9). */
export function withdrawnBy(withdrawals) {
  const m = new Map();
  for (const w of withdrawals) {
    const what = WITHDRAWS[w.type], when = w.details && w.details.withdrawn;
    if (what && when) m.set(`${what}|${w.icao24}|${when}`, w);
  }
  return m;
}

/** The withdrawal that takes ``ev`` back by ``asOf`` (epoch s; null: whenever it was said),
 * or undefined. In history playback a landing shows as it was said until its withdrawal is
 * said, then struck through. */
export function withdrawalOf(ev, withdrawn, asOf = null) {
  const w = withdrawn.get(`${ev.type}|${ev.icao24}|${ev.time}`);
  if (!w || asOf == null) return w;
  const said = parseIso(w.time);
  return said != null && said <= asOf ? w : undefined;
}
