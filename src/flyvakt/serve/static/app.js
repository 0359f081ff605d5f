// flyvakt web map: plain JS modules over the JSON API, no build step, no internet, no inline
// script (the server's Content-Security-Policy allows scripts from this origin only).
/* global L */
import { LABELS, loadTerms, translate } from "./i18n.js";
import { $, WITHDRAWAL_TYPES, distanceNm, el, fromInput, getJSON, inZone, inputValue, isoUtc, locale,
  parseIso, withdrawalOf, withdrawnBy } from "./util.js";
import { renderVerdict, verdictText } from "./verdict.js";
import { renderTable } from "./table.js";
import { drawSnapshot, imageStats } from "./snapshot.js";
import { PlacesLayer, RunwayLayer, acLabel, createMap, declutterAirportLabels, keepAircraftLabelsInside, drawInferredLeg, drawReceivers,
  drawTrail, fleetColour, loadOutlines, markerElement, nearLng, spiderfy } from "./layers.js";

const READER_TZ = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
const params = new URLSearchParams(location.search);
// Why 3 h: long enough to keep an aircraft through a long coverage gap or after an inferred
// landing (Pyongyang's approach is lost ~40 min before the claim time), short enough that
// yesterday's traffic does not fill the map.
const GHOST_S = 3 * 3600;
// Why 60 s: the server's "now" window; older fixes are shown as ghosts (readsb drops them).
const FRESH_S = 60;
const LANGS = ["en", "nb", "nn"];
const num = (v) => { const x = v == null || v === "" ? NaN : Number(v); return isFinite(x) ? x : null; };

const state = {
  lang: LANGS.includes(params.get("lang")) ? params.get("lang")
    : (LANGS.includes(localStorage.getItem("flyvakt.lang")) ? localStorage.getItem("flyvakt.lang") : "en"),
  live: false, ended: false, firstS: null, lastS: null, winFrom: null, winTo: null, t: null,
  playing: false, aircraft: [], shown: [], selected: (params.get("icao") || params.get("hex") || "").toLowerCase() || null,
  markers: new Map(), fleets: [], members: new Map(), busy: false, pending: false,
  sort: { key: "alt", dir: "desc" }, countries: null, events: [], withdrawn: new Map(), verdict: null, trails: [],
  dataLabel: null, fleetsNote: "", hover: null, followed: false,
};
const tr = (key, vars) => translate(state.lang, key, vars);

function applyLabels() {
  document.documentElement.lang = state.lang;
  document.querySelectorAll("[data-i18n]").forEach((e) => { e.textContent = tr(e.dataset.i18n); });
  document.querySelectorAll("[data-i18n-ph]").forEach((e) => { e.placeholder = tr(e.dataset.i18nPh); });
  document.querySelectorAll("[data-i18n-aria]").forEach((e) => { e.setAttribute("aria-label", tr(e.dataset.i18nAria)); });
  document.querySelectorAll("[data-i18n-title]").forEach((e) => { e.title = tr(e.dataset.i18nTitle); });
  $("play").textContent = tr(state.playing ? "pause" : "play");
  $("mode").textContent = tr(state.ended ? "ended" : state.live ? "live" : "stored");
  $("mode").className = "badge " + (state.ended ? "b-ended" : state.live ? "b-live" : "b-stored");
  $("ev-zone").textContent = tr("zones", { tz: READER_TZ });
  $("data-label").hidden = !state.dataLabel;
  $("data-label").textContent = state.dataLabel ? tr("watermark") : "";
  $("data-label").title = state.dataLabel || "";
  $("fleets-note").textContent = state.fleetsNote ? tr("fleetsfrom", { src: state.fleetsNote }) : "";
}

// ---- map ----------------------------------------------------------------------------------
const map = createMap();
const tileUrl = params.get("tiles") || localStorage.getItem("flyvakt.tiles");
if (tileUrl) L.tileLayer(tileUrl, { maxZoom: 18 }).addTo(map);  // only if configured
const outlinesReady = loadOutlines(map, !!tileUrl).then((doc) => { state.countries = doc; }).catch(showError);
const places = new PlacesLayer(map);
places.onDrawn = () => declutterAirportLabels(map.getContainer());
const placesReady = places.load().catch(showError);
const runways = new RunwayLayer(map);
const trackLayer = L.layerGroup().addTo(map);
const legLayer = L.layerGroup().addTo(map);
placesReady.then(() => drawInferredLegs());  // a leg needs its airport's position: a race before
const acLayer = L.layerGroup().addTo(map);
const rxLayer = L.layerGroup().addTo(map);
map.on("zoomend moveend", () => { placeMarkers(); syncUrl(); });

function regOf(hex) { return state.members.get(hex) || {}; }
function memberLabel(hex) {
  const m = regOf(hex);
  const ac = state.aircraft.find((a) => a.hex === hex);
  const reg = (ac && ac.r) || m.registration;
  // As the verdict sentence names it: registration, else callsign, else the address alone
  // (the evidence was headed "393322" under "AFR34ZG (393322) landed in Toulouse").
  const callsign = ((ac && ac.flight) || "").trim();
  return reg ? `${reg} (${hex})` : (callsign ? `${callsign} (${hex})` : hex);
}

/** An event's aircraft: its callsign then the member label, the callsign once (the label is
 * "AFR34ZG (393322)" when no registration is known: the list said "AFR34ZG AFR34ZG (393322)"). */
function eventWho(ev) {
  const who = memberLabel(ev.icao24);
  const cs = (ev.callsign || "").trim();
  return cs && !who.startsWith(`${cs} (`) ? `${cs} ${who}` : who;
}

function passes(ac) {
  const fleet = $("f-fleet").value;
  if (fleet && !(ac.fleet || []).includes(fleet)) return false;
  const text = $("f-text").value.trim().toUpperCase();
  if (text && !(ac.hex.toUpperCase().includes(text) || (ac.flight || "").toUpperCase().includes(text)
    || (ac.r || "").toUpperCase().includes(text))) return false;
  const alt = ac.alt_baro === "ground" ? 0 : ac.alt_baro;
  const lo = parseFloat($("f-altmin").value), hi = parseFloat($("f-altmax").value);
  if (!isNaN(lo) && !(typeof alt === "number" && alt >= lo)) return false;
  if (!isNaN(hi) && !(typeof alt === "number" && alt <= hi)) return false;
  return true;
}

function ageText(s) {
  return s < 120 ? tr("ago", { s: Math.round(s) }) : tr("agomin", { m: Math.round(s / 60) });
}

function drawAircraft() {
  const c = map.getCenter();
  state.shown = state.aircraft.filter((ac) => typeof ac.lat === "number" && passes(ac));
  for (const ac of state.shown) ac._dist_nm = distanceNm(c.lat, c.lng, ac.lat, nearLng(map, ac.lon));
  const seen = new Set(state.shown.map((a) => a.hex));
  for (const ac of state.shown) {
    let m = state.markers.get(ac.hex);
    const sel = ac.hex === state.selected;
    const icon = L.divIcon({ className: "ac-icon", iconSize: [26, 26], iconAnchor: [13, 13],
      html: markerElement(ac, sel, tr("ghost", { age: ageText(ac.seen_pos ?? ac.seen ?? 0) })) });
    if (!m) {
      m = L.marker([ac.lat, nearLng(map, ac.lon)], { icon, keyboard: true, title: acLabel(ac), alt: acLabel(ac) });
      m.on("click", () => select(ac.hex));
      m.addTo(acLayer);
      state.markers.set(ac.hex, m);
    } else {
      m.setIcon(icon);
      m.options.title = acLabel(ac);
    }
    m.setZIndexOffset(sel ? 1000 : ac.ghost ? -100 : 0);
  }
  for (const [hex, m] of state.markers) {
    if (!seen.has(hex)) { acLayer.removeLayer(m); state.markers.delete(hex); }
  }
  placeMarkers();
  const ghosts = state.shown.filter((a) => a.ghost).length;
  $("count").textContent = tr("shown", { n: state.shown.length }) + (ghosts ? ` · ${tr("ghosts", { n: ghosts })}` : "");
  drawTable();
  drawInferredLegs();
  if (state.selected) {
    showDetails();
    const m = state.markers.get(state.selected);
    // Follow the selected aircraft: never leave it moving off-screen during playback.
    if (m && !map.getBounds().pad(-0.1).contains(m.getLatLng())) map.panTo(m.getLatLng(), { animate: false });
  } else if (state.followed && state.shown.length && !state.shown.some((a) => map.getBounds().contains([a.lat, nearLng(map, a.lon)]))) {
    // After a scrub with nothing selected, bring the aircraft back into view.
    fitAircraft();
  }
}
function placeMarkers() {
  const items = state.shown.map((ac) => ({ hex: ac.hex, latlng: L.latLng(ac.lat, nearLng(map, ac.lon)) }));
  for (const it of spiderfy(map, items)) {
    const m = state.markers.get(it.hex);
    if (m) { m.setLatLng(it.latlng); m.getElement()?.classList.toggle("spread", !!it.spread); }
  }
  keepAircraftLabelsInside(map.getContainer());
  declutterAirportLabels(map.getContainer());
}
function fitAircraft() {
  const pts = state.shown.map((a) => [a.lat, nearLng(map, a.lon)]);
  if (pts.length) map.fitBounds(L.latLngBounds(pts).pad(0.5), { maxZoom: 7, animate: false });
}
function drawTable() {
  renderTable($("ac-table"), state.shown, state.sort, {
    lang: state.lang, selected: state.selected, onSort: drawTable, onSelect: (hex) => select(hex, true),
    onHover: (hex, on) => state.markers.get(hex)?.getElement()?.classList.toggle("hover", on),
  });
}

// Why 300 s: an inferred landing may be stamped up to this long before the last fix it rests on
// (verify/reach.py LANDED_SLACK_S).
const LANDED_SLACK_S = 300;

/** A dashed leg from a greyed aircraft's last position to the airport of the inferred landing
 * that ended its silence by the time shown: one per aircraft, none while it is heard (calfire
 * a5035e at 19:10 drew 12 legs to KFAT, from landings hours before and after that gap). */
function drawInferredLegs() {
  legLayer.clearLayers();
  state.legs = [];
  if (state.t == null) return;
  const last = new Map();  // hex -> its latest such landing
  for (const ev of state.events) {
    if (ev.type !== "landing" || ev.basis !== "inferred" || !ev.airport || withdrawalAt(ev)) continue;
    const t = parseIso(ev.time);
    const ac = state.aircraft.find((a) => a.hex === ev.icao24);
    if (!ac || !ac.ghost || t == null || t > state.t) continue;
    const lastFixS = state.t - (ac.seen_pos ?? ac.seen ?? 0);
    if (t >= lastFixS - LANDED_SLACK_S && !(last.get(ac.hex)?.t > t)) last.set(ac.hex, { t, ac, icao: ev.airport.icao });
  }
  for (const { ac, icao } of last.values()) {
    const ap = places.byIcao.get(icao);
    if (ap) state.legs.push(drawInferredLeg(legLayer, [ac.lat, nearLng(map, ac.lon)], [ap.lat, nearLng(map, ap.lng)]));
  }
}

// ---- details and track ----------------------------------------------------------------------
// Numbers and units in the reader's language ("0,1 kt", "35 000 fot" in nb/nn, as the verdicts
// write them).
function fmt(v, unit) {
  if (v === undefined || v === null) return "–";
  return `${typeof v === "number" ? v.toLocaleString(locale(state.lang)) : v}${unit || ""}`;
}
function showDetails() {
  const ac = state.aircraft.find((a) => a.hex === state.selected);
  const m = regOf(state.selected);
  $("details").hidden = false;
  $("d-title").textContent = ac ? acLabel(ac) : state.selected;
  const rows = [];
  if (ac) {
    const alt = ac.alt_baro === "ground" ? tr("ground") : fmt(ac.alt_baro, " " + tr("u_ft"));
    rows.push([tr("hex"), ac.hex], [tr("registration"), ac.r || m.registration || "–"],
      [tr("type"), ac.t || m.type || "–"], [tr("callsign"), (ac.flight || "–").trim()], [tr("altitude"), alt],
      [tr("speed"), fmt(ac.gs, " kt")], [tr("heading"), fmt(ac.track, "°")],
      [tr("vrate"), fmt(ac.baro_rate, " " + tr("u_fpm"))], [tr("squawk"), ac.squawk || "–"],
      [tr("position"), `${ac.lat.toFixed(4)}, ${ac.lon.toFixed(4)}`],
      [tr("source"), ac.source || ac.type || "–"], [tr("fleetcol"), (ac.fleet || []).join(", ") || "–"],
      [tr("age"), ageText(ac.seen_pos ?? ac.seen ?? 0)]);
    if (ac.field_age_s) {
      // A field the labels do not know (a newer hub) keeps its own name rather than vanish.
      const field = (k) => (LABELS.en["f_" + k] ? tr("f_" + k) : k);
      rows.push([tr("fieldage"), Object.entries(ac.field_age_s).map(([k, v]) => `${field(k)} ${Math.round(v)} s`).join(", ")]);
    }
  } else {
    rows.push([tr("hex"), state.selected], [tr("registration"), m.registration || "–"], [tr("position"), tr("unknown")]);
  }
  $("d-table").replaceChildren(...rows.map(([k, v]) => el("tr", {}, el("th", { scope: "row", text: k }),
    el("td", { text: v, id: k === tr("hex") ? "d-hex" : null }))));
  const q = `icao24=${state.selected}&from=${Math.floor(state.winFrom || 0)}&to=${Math.ceil(state.t || state.winTo || 0)}`;
  for (const f of ["geojson", "kml", "csv"]) $("x-" + f).href = `/api/export?${q}&format=${f}`;
}
let trackSeq = 0;
async function loadTrack() {
  const seq = ++trackSeq;
  if (!state.selected) { trackLayer.clearLayers(); state.trails = []; return; }
  const to = state.t || state.lastS, from = state.live ? to - 3600 : state.winFrom;
  const doc = await getJSON(`/api/aircraft/${encodeURIComponent(state.selected)}/track?from=${from}&to=${to}`);
  if (seq !== trackSeq) return;  // a newer request superseded this one
  trackLayer.clearLayers();
  state.trails = drawTrail(map, trackLayer, doc.segments);
}
function select(hex, focusDetails) {
  state.selected = hex;
  drawAircraft();
  showDetails();
  syncUrl();
  loadTrack().catch(showError);
  if (focusDetails) { $("details").scrollIntoView({ block: "nearest" }); $("d-close").focus(); }
}
function unselect() {
  state.selected = null; $("details").hidden = true; trackLayer.clearLayers(); state.trails = []; drawAircraft(); syncUrl();
}
$("d-close").addEventListener("click", unselect);

// ---- data loading ---------------------------------------------------------------------------
async function refresh() {
  if (state.busy) { state.pending = true; return; }
  state.busy = true;
  try {
    const url = state.live ? "/api/aircraft" : `/api/aircraft?at=${state.t}&ghost=${GHOST_S}`;
    const doc = await getJSON(url);
    const rows = doc.aircraft || [];
    for (const a of rows) a.ghost = (a.seen_pos ?? a.seen ?? 0) > FRESH_S;
    if (state.live) {
      // Keep aircraft that stopped being heard as ghosts at their last position.
      const now = new Set(rows.map((a) => a.hex));
      const dt = doc.now && state.t ? doc.now - state.t : 0;
      for (const old of state.aircraft) {
        if (now.has(old.hex) || typeof old.lat !== "number") continue;
        const age = (old.seen_pos ?? old.seen ?? 0) + Math.max(0, dt);
        if (age <= GHOST_S) rows.push({ ...old, ghost: true, seen_pos: age, seen: age });
      }
    }
    state.aircraft = rows;
    if (doc.now) state.t = state.live ? doc.now : state.t;
    drawAircraft();
    updateClock();
    if (state.live && state.selected) loadTrack().catch(showError);  // trails follow every poll
  } catch (e) { showError(e); } finally {
    state.busy = false;
    if (state.pending) { state.pending = false; refresh(); }
  }
}
function updateClock() {
  if (state.t == null) { $("clock").textContent = "–"; return; }
  $("clock").textContent = `${isoUtc(state.t)} · ${inZone(state.t, READER_TZ, state.lang, true)}`;
  if (state.winFrom != null && state.winTo > state.winFrom) {
    $("slider").value = Math.round(1000 * (state.t - state.winFrom) / (state.winTo - state.winFrom));
  }
}
function showError(e) { console.error(e); $("count").textContent = String((e && e.message) || e); }

async function loadEvents() {
  const q = new URLSearchParams({ limit: "500", lang: state.lang });
  if (!state.live && state.winFrom != null) { q.set("since", state.winFrom); q.set("until", state.winTo); }
  if ($("f-fleet").value) q.set("fleet", $("f-fleet").value);
  const list = $("ev-list");
  let doc;
  try { doc = await getJSON(`/api/events?${q}`); } catch (e) {
    list.replaceChildren(el("li", { class: "muted", text: String(e.message || e) }));
    return;
  }
  state.events = doc.events;
  state.withdrawn = await loadWithdrawals(doc.events);
  places.pinned = new Set(doc.events.filter((e) => e.airport).map((e) => e.airport.icao));
  places.draw();
  drawInferredLegs();
  drawEvents();
}

/** The withdrawal of ``ev`` said by the time shown (live: any). Before it was said, history
 * playback shows the landing as it was said then; from then on, struck through (#9). */
function withdrawalAt(ev) { return withdrawalOf(ev, state.withdrawn, state.live ? null : state.t); }
let drawnWithdrawn = null;  // which withdrawals the list was drawn with ("type|hex|time" …)
function withdrawnNow() { return state.events.filter((e) => withdrawalAt(e)).map((e) => `${e.type}|${e.icao24}|${e.time}`).join(","); }

function drawEvents() {
  const list = $("ev-list");
  drawnWithdrawn = withdrawnNow();
  if (!state.events.length) { list.replaceChildren(el("li", { class: "muted", text: tr("none") })); return; }
  list.replaceChildren(...state.events.slice().reverse().map((ev) => {
    const t = parseIso(ev.time);
    // The place in the reader's words ("UUEE Moskva"); the airport's own name as its tooltip.
    const place = ev.airport ? `${ev.airport.icao} ${ev.airport.place || ev.airport.name || ""}` : (ev.country || "");
    const localTz = (ev.airport && ev.airport.tz) || ev.tz;
    const local = localTz ? inZone(t, localTz, state.lang, false) : (ev.local_time ? ev.local_time.slice(11, 16) : "–");
    const kind = tr("ev_" + ev.type) === "ev_" + ev.type ? ev.type.replace(/_/g, " ") : tr("ev_" + ev.type);
    const w = withdrawalAt(ev);
    const b = el("button", { type: "button", class: "ev-btn", title: w ? w.reason : null },
      el(w ? "s" : "b", { class: "ev-type", "data-type": ev.type, text: kind }), " ",
      w ? el("span", { class: "ev-withdrawn", text: tr("withdrawn_note", { time: isoUtc(parseIso(w.time)) }) }) : "",
      el("span", { class: "ev-who", text: `${eventWho(ev)} · ${tr(ev.basis || "observed")}` }),
      el("span", { class: "ev-place", text: place, title: ev.airport ? ev.airport.name || null : null }),
      el("span", { class: "ev-times", text: `${isoUtc(t)} · ${local} ${tr("localplace")} · ${inZone(t, READER_TZ, state.lang, false)}` }));
    b.addEventListener("click", () => { setTime(t); select(ev.icao24, true); });
    return el("li", { class: w ? "withdrawn" : null }, b);
  }));
}

/** The withdrawals of the events listed, wherever they fall: a landing inferred when the signal
 * was lost is withdrawn when the aircraft is seen again, often after the window shown. */
async function loadWithdrawals(events) {
  const here = events.filter((e) => WITHDRAWAL_TYPES.includes(e.type));
  if (!events.some((e) => e.type === "landing" || e.type === "fleet_landed")) return withdrawnBy(here);
  const q = new URLSearchParams({ type: WITHDRAWAL_TYPES.join(","), since: events[0].time, limit: "1000" });
  try { return withdrawnBy([...here, ...(await getJSON(`/api/events?${q}`)).events]); } catch (e) { return withdrawnBy(here); }
}

// ---- time, playback, URL ------------------------------------------------------------------
function setTime(t) {
  if (state.live || t == null) return;
  state.t = Math.max(state.winFrom, Math.min(state.winTo, t));
  state.followed = true;
  updateClock();
  if (drawnWithdrawn !== null && withdrawnNow() !== drawnWithdrawn) drawEvents();
  refresh();
  syncUrl();
  if (state.selected) loadTrack().catch(showError);
}
$("slider").addEventListener("input", () => {
  const f = $("slider").value / 1000;
  setTime(state.winFrom + f * (state.winTo - state.winFrom));
});
function setWindow(from, to) {
  state.winFrom = from; state.winTo = to;
  $("win-from").value = inputValue(from); $("win-to").value = inputValue(to);
  loadEvents().catch(showError);
}
for (const id of ["win-from", "win-to"]) {
  $(id).addEventListener("change", () => {
    const a = fromInput($("win-from").value), b = fromInput($("win-to").value);
    if (a != null && b != null && b > a) { setWindow(a, b); setTime(state.t); }
  });
}
let timer = null;
function togglePlay() {
  if (state.live) return;
  state.playing = !state.playing;
  applyLabels();
  if (timer) { clearInterval(timer); timer = null; }
  if (!state.playing) return;
  if (state.t >= state.winTo) state.t = state.winFrom;
  const stepMs = 500;
  timer = setInterval(() => {
    const next = state.t + Number($("speed").value) * stepMs / 1000;
    if (next >= state.winTo) togglePlay();
    setTime(next);
  }, stepMs);
}
$("play").addEventListener("click", togglePlay);
$("live").addEventListener("click", () => setTime(state.winTo));

/** The view as URL parameters (tar1090's names where it has them: icao, lat, lon, zoom). */
function viewParams() {
  const q = new URLSearchParams();
  q.set("lang", state.lang);
  if (state.selected) q.set("icao", state.selected);
  if (!state.live && state.t != null) q.set("t", new Date(state.t * 1000).toISOString().replace(".000", ""));
  if (!state.live && state.winFrom != null) {
    q.set("from", new Date(state.winFrom * 1000).toISOString().replace(".000", ""));
    q.set("to", new Date(state.winTo * 1000).toISOString().replace(".000", ""));
  }
  const c = map.getCenter();
  q.set("lat", c.lat.toFixed(4)); q.set("lon", c.lng.toFixed(4)); q.set("zoom", String(map.getZoom()));
  if ($("f-fleet").value) q.set("fleet", $("f-fleet").value);
  if (state.verdict) {
    q.set("claim", $("claim-text").value);
    if (state.verdict.as_of) q.set("at", state.verdict.as_of);
  }
  return q;
}
let started = false;
function syncUrl() {
  if (!started) return;
  history.replaceState(null, "", `${location.pathname}?${viewParams()}`);
  const a = document.getElementById("v-permalink");
  if (a) a.href = permalink();
}
function permalink() { return `${location.origin}${location.pathname}?${viewParams()}`; }
/** A URL time: ISO 8601 or epoch seconds. */
function urlTime(name) {
  const v = params.get(name);
  if (!v) return null;
  return /^\d+(\.\d+)?$/.test(v) ? Number(v) : parseIso(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : v + "Z");
}

for (const id of ["f-text", "f-altmin", "f-altmax"]) $(id).addEventListener("input", drawAircraft);
$("f-fleet").addEventListener("change", () => { drawAircraft(); loadEvents().catch(showError); syncUrl(); });
$("lang").value = state.lang;
function setLang(lang) {
  state.lang = lang; $("lang").value = lang; localStorage.setItem("flyvakt.lang", lang);
  applyLabels(); drawAircraft(); updateClock(); loadEvents().catch(showError); syncUrl();
  if (state.verdict) checkClaim().catch(showError);
}
$("lang").addEventListener("change", () => setLang($("lang").value));

// ---- claims -------------------------------------------------------------------------------
// A time written in the claim ("by 09:47", "2024-06-18T..."): then the claim's own time counts.
const TIME_IN_TEXT = /\d{1,2}[:.]\d{2}|\d{4}-\d{2}-\d{2}/;
async function checkClaim() {
  const out = $("verdict");
  out.textContent = tr("checking");
  const body = { claim: $("claim-text").value, lang: state.lang, tz: READER_TZ };
  const at = fromInput($("claim-at").value);
  const iso = (s) => new Date(s * 1000).toISOString().replace(".000Z", "Z");
  if (at != null) body.at = iso(at);
  else if (!TIME_IN_TEXT.test(body.claim) && state.t != null) body.at = iso(state.t);  // the moment shown
  try {
    const v = await getJSON("/api/verify", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body) });
    state.verdict = v;
    await showMoment(v);
    renderVerdict(out, v, { lang: state.lang, tz: READER_TZ, label: memberLabel },
      { permalink, copy: copyText, saveImage });
    $("save-image").hidden = true;  // the verdict's own "Save image" button replaces it
    syncUrl();
    $("v-badge").setAttribute("tabindex", "-1");
    $("v-badge").focus();
  } catch (err) {
    state.verdict = null;
    $("save-image").hidden = false;
    out.replaceChildren(el("div", { class: "error", role: "alert", text: String(err.message || err) }));
  }
}
$("claim-form").addEventListener("submit", (e) => { e.preventDefault(); checkClaim().catch(showError); });

/** Move the map to the claim's moment and to the aircraft the verdict rests on. */
async function showMoment(v) {
  const asOf = parseIso(v.as_of);
  if (!state.live && asOf != null && state.winFrom != null) {
    if (asOf < state.winFrom || asOf > state.winTo) {
      const lo = Math.max(state.firstS ?? asOf, asOf - 3 * 3600), hi = Math.min(state.lastS ?? asOf, asOf + 3600);
      setWindow(Math.min(lo, asOf), Math.max(hi, asOf));
    }
    state.t = Math.max(state.winFrom, Math.min(state.winTo, asOf));
    updateClock();
    await refresh();
  }
  const ev = v.evidence || {};
  const absent = new Set(ev.members_not_in_data || []);
  const hexes = (ev.members || []).map((m) => m.icao24).filter((h) => !absent.has(h));
  const deciding = ((ev.events || [])[0] || {}).icao24 || hexes[0];
  const pts = state.aircraft.filter((a) => hexes.includes(a.hex) && typeof a.lat === "number").map((a) => [a.lat, nearLng(map, a.lon)]);
  if (pts.length) map.fitBounds(L.latLngBounds(pts).pad(0.6), { maxZoom: 8, animate: false });
  if (deciding && state.aircraft.some((a) => a.hex === deciding)) select(deciding);
}

async function copyText(text) {
  window.flyvakt.copied = text;
  try { await navigator.clipboard.writeText(text); } catch (e) {
    const ta = el("textarea", { class: "sr-only", "aria-hidden": "true" });
    ta.value = text; document.body.append(ta); ta.select(); document.execCommand("copy"); ta.remove();
  }
}

// ---- image export ---------------------------------------------------------------------------
function captionText() {
  const when = state.t != null ? `${isoUtc(state.t)} · ${inZone(state.t, READER_TZ, state.lang, true)}` : "";
  const parts = [];
  if (state.verdict) parts.push(state.verdict.summary);
  parts.push(when);
  if (state.verdict && state.verdict.data_through) parts.push(`${tr("datathrough")}: ${isoUtc(parseIso(state.verdict.data_through))}`);
  return parts.filter(Boolean).join("\n");
}
async function saveImage() {
  await outlinesReady; await placesReady;
  // The caption goes into the page first (readable, selectable, checked by tests), then the
  // image is drawn from that same text.
  $("snap-caption").textContent = captionText();
  $("snapshot").hidden = false;
  const watermark = state.dataLabel ? tr("watermark") : "";
  const canvas = drawSnapshot({
    map, countries: state.countries, trails: [...state.trails, ...(state.legs || [])],
    // Where the markers are drawn (spread stacks included), so the image matches the screen.
    aircraft: state.shown.map((a) => {
      const ll = state.markers.get(a.hex)?.getLatLng() || L.latLng(a.lat, nearLng(map, a.lon));
      return { lat: ll.lat, lng: ll.lng, track: a.track, colour: fleetColour(a), ghost: a.ghost, label: acLabel(a) };
    }),
    airports: places.shown(), caption: $("snap-caption").textContent,
    attribution: tr("caption_src"), watermark,
  });
  window.flyvakt.imageStats = { ...imageStats(canvas), watermark };
  const blob = await new Promise((res) => canvas.toBlob(res, "image/png"));
  const url = URL.createObjectURL(blob);
  $("snap-img").src = url;
  $("snap-img").alt = $("snap-caption").textContent;
  const a = $("snap-download");
  a.href = url;
  a.download = `flyvakt-${state.t != null ? new Date(state.t * 1000).toISOString().slice(0, 16).replace(":", "") : "map"}.png`;
  a.click();
}
$("save-image").addEventListener("click", () => saveImage().catch(showError));

// ---- keyboard (tar1090-like shortcuts, listed in the help overlay) --------------------------
function moveSelection(step) {
  const rows = [...document.querySelectorAll("#ac-table tbody tr")].map((r) => r.dataset.hex);
  if (!rows.length) return;
  const i = rows.indexOf(state.selected);
  select(rows[(i + step + rows.length) % rows.length]);
  document.querySelector(`#ac-table tr[data-hex="${CSS.escape(state.selected)}"] button`)?.focus();
}
function toggleHelp(show) {
  const h = $("help");
  h.hidden = show === undefined ? !h.hidden : !show;
  if (!h.hidden) $("help-close").focus();
}
document.querySelector(".skip").addEventListener("click", (e) => { e.preventDefault(); $("claim-text").focus(); });
$("help-btn").addEventListener("click", () => toggleHelp(true));
$("help-close").addEventListener("click", () => { toggleHelp(false); $("help-btn").focus(); });
document.addEventListener("keydown", (e) => {
  const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName);
  if (e.key === "Escape") {
    if (!$("help").hidden) { toggleHelp(false); $("help-btn").focus(); } else if (state.selected) unselect();
    return;
  }
  if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
  const keys = {
    "?": () => toggleHelp(), h: () => toggleHelp(), j: () => moveSelection(1), k: () => moveSelection(-1),
    p: togglePlay, " ": togglePlay, c: () => $("claim-text").focus(), a: () => document.querySelector("#ac-table tbody button")?.focus(),
    "[": () => setTime(state.t - 60), "]": () => setTime(state.t + 60), f: fitAircraft,
    L: () => setLang(LANGS[(LANGS.indexOf(state.lang) + 1) % LANGS.length]),
  };
  const fn = keys[e.key];
  if (fn) { e.preventDefault(); fn(); }
});

// ---- start ----------------------------------------------------------------------------------
async function pollStatus() {
  const st = await getJSON("/api/status");
  state.live = st.live;
  state.firstS = st.first_fix_s; state.lastS = st.data_through_s || st.last_fix_s;
  state.dataLabel = st.data_label || null;
  const fl = st.fleets_file;
  state.fleetsNote = fl ? (st.fleets_default ? tr("bundled") : fl.split("/").pop()) : "";
  // A file replay that has finished: say so rather than LIVE.
  const srcs = Object.values((st.hub && st.hub.sources) || {});
  state.ended = st.live && srcs.length > 0 && srcs.every((s) => s.state === "done" || s.state === "stopped");
  applyLabels();
  return st;
}
async function start() {
  applyLabels();
  loadTerms(await getJSON("/api/terms"));
  const st0 = await pollStatus();
  drawReceivers(map, rxLayer, st0.receivers);
  getJSON(`/api/fleets?lang=${state.lang}`).then((doc) => {
    for (const f of doc.fleets) {
      $("f-fleet").append(el("option", { value: f.id, text: f.name }));
      for (const m of f.members) if (m.icao24) state.members.set(m.icao24.toLowerCase(), m);
    }
    if (params.get("fleet")) { $("f-fleet").value = params.get("fleet"); drawAircraft(); }
  }).catch(showError);
  const lat = num(params.get("lat")), lon = num(params.get("lon")), zoom = num(params.get("zoom"));
  if (state.live) {
    $("playback").classList.add("live");
    setInterval(refresh, 2000);
    // Why 10 s: the ENDED state and the data horizon change slowly; no need to poll faster.
    setInterval(() => pollStatus().catch(showError), 10000);
    if (window.EventSource) {
      const es = new EventSource("/api/stream");
      es.addEventListener("event", () => loadEvents().catch(showError));
    }
    await refresh();
    loadEvents().catch(showError);
  } else if (state.lastS != null) {
    // Default window: the last three hours of stored data (change it with From/To or ?from=&to=).
    const t = urlTime("t");
    let to = urlTime("to") ?? state.lastS;
    let from = urlTime("from") ?? Math.max(state.firstS ?? state.lastS - 10800, to - 10800);
    // A linked moment outside the default window: open an hour before it, so trails show.
    if (t != null && (t < from || t > to)) { from = Math.max(state.firstS ?? t - 3600, Math.min(from, t - 3600)); to = Math.max(to, t); }
    setWindow(from, to);
    state.t = t ?? to;
    await refresh();
  }
  if (lat != null && lon != null) map.setView([lat, lon], zoom ?? map.getZoom(), { animate: false });
  else fitAircraft();
  started = true;
  if (state.selected) select(state.selected);
  if (params.get("claim")) {
    $("claim-text").value = params.get("claim");
    const at = urlTime("at");
    if (at != null) $("claim-at").value = inputValue(at);
    await checkClaim();
    if (lat != null && lon != null) map.setView([lat, lon], zoom ?? map.getZoom(), { animate: false });
  }
  syncUrl();
  document.body.dataset.ready = "1";
}
window.flyvakt = { state, map, setTime, select, permalink, labels: LABELS };  // for tests and the console
start().catch(showError);
