// Map layers: world outlines, airports, aircraft markers (ghosts, spiderfied stacks), trails
// coloured by altitude, dashed inferred legs. Labels are DOM text, never parsed HTML.
/* global L */
import { altitudeColour, el, getJSON } from "./util.js";

export function createMap() {
  const map = L.map("map", { worldCopyJump: true, minZoom: 2, keyboard: true }).setView([30, 10], 3);
  // Panes in drawing order: land under airports under trails under aircraft.
  map.createPane("land").style.zIndex = 350;
  map.createPane("airports").style.zIndex = 420;
  map.createPane("rings").style.zIndex = 410;
  map.createPane("trails").style.zIndex = 450;
  return map;
}

// Leaflet does not repeat vector layers across world copies: draw the outlines three times
// (shifted by -360, 0, +360) so Chukotka sits next to the rest of Russia.
function shifted(doc, dx) {
  const mv = (c) => (typeof c[0] === "number" ? [c[0] + dx, c[1]] : c.map(mv));
  return { type: "FeatureCollection", features: doc.features.map((f) => ({ type: "Feature",
    properties: f.properties, geometry: { type: f.geometry.type, coordinates: mv(f.geometry.coordinates) } })) };
}

export async function loadOutlines(map, tiled) {
  const doc = await getJSON("/geo/countries.geojson");
  // Render outlines well beyond the view so a pan never shows an unfilled band.
  const renderer = L.svg({ padding: 1, pane: "land" });
  for (const dx of [-360, 0, 360]) {
    L.geoJSON(dx ? shifted(doc, dx) : doc, { interactive: false, renderer, pane: "land", noClip: true,
      style: { color: "#8a9299", weight: 0.7, fillColor: "#f4f1ea", fillOpacity: tiled ? 0 : 1 } }).addTo(map);
  }
  return doc;
}

/** Longitude moved to the world copy nearest the view centre. */
export function nearLng(map, lng) {
  const c = map.getCenter().lng;
  return lng + 360 * Math.round((c - lng) / 360);
}

// ---- airports and places ------------------------------------------------------------------
// Why these zooms: at 5 a large airport's label no longer collides with its neighbours' in
// Europe; medium airports (~4,500 worldwide) are readable from zoom 8.
const AIRPORT_MIN_ZOOM = { large_airport: 5, medium_airport: 8 };
const PLACE_MIN_ZOOM = 4;

export class PlacesLayer {
  constructor(map) {
    this.map = map;
    this.layer = L.layerGroup().addTo(map);
    this.airports = [];
    this.places = [];
    this.byIcao = new Map();
    this.pinned = new Set();  // airports of the events shown: drawn from zoom 4
    this.onDrawn = null;  // called after each draw (the app moves labels off aircraft)
    map.on("moveend zoomend", () => this.draw());
  }
  async load() {
    const doc = await getJSON("/geo/airports.geojson");
    this.airports = doc.features.map((f) => ({ lat: f.geometry.coordinates[1], lng: f.geometry.coordinates[0], ...f.properties }));
    for (const a of this.airports) this.byIcao.set(a.icao, a);
    this.places = (doc.places || []);
    this.draw();
  }
  draw() {
    this.layer.clearLayers();
    const z = this.map.getZoom(), b = this.map.getBounds().pad(0.1);
    const visible = (lat, lng) => b.contains([lat, nearLng(this.map, lng)]);
    if (z >= PLACE_MIN_ZOOM) {
      for (const p of this.places) {
        if (!visible(p.lat, p.lon)) continue;
        L.marker([p.lat, nearLng(this.map, p.lon)], { pane: "airports", interactive: false, keyboard: false,
          icon: L.divIcon({ className: "place-icon", iconSize: null, html: el("span", { class: "place", text: p.name }) }) })
          .addTo(this.layer);
      }
    }
    for (const a of this.airports) {
      const minZoom = this.pinned.has(a.icao) ? PLACE_MIN_ZOOM : (AIRPORT_MIN_ZOOM[a.type] ?? 99);
      if (z < minZoom || !visible(a.lat, a.lng)) continue;
      const label = a.iata ? `${a.icao} / ${a.iata}` : a.icao;
      L.marker([a.lat, nearLng(this.map, a.lng)], { pane: "airports", keyboard: false, interactive: false,
        icon: L.divIcon({ className: "ap-icon", iconSize: [8, 8], iconAnchor: [4, 4],
          html: el("div", { class: "ap", "data-icao": a.icao }, el("span", { class: "ap-label", text: label })) }) })
        .addTo(this.layer);
    }
    if (this.onDrawn) this.onDrawn();
  }
  /** Airports drawn now, for the image export (``side``: where the label sits on the map;
   * "hidden": no room on the map, the dot alone). */
  shown() {
    const out = [];
    this.layer.eachLayer((m) => {
      const d = m.options.icon.options.html;
      if (d && d.dataset && d.dataset.icao) {
        const side = d.querySelector(".ap-label")?.dataset.side || "right";
        out.push({ lat: m.getLatLng().lat, lng: m.getLatLng().lng, label: d.textContent, side });
      }
    });
    return out;
  }
}

// Where an airport's label may sit around its dot, in order of preference. The offsets match
// app.css (.ap-label: 10 px from the dot's padding box).
const LABEL_SIDES = ["right", "left", "below", "above"];
const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
const area = (a, b) => Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left))
  * Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
// Why 100: one pixel of an aircraft's label under an airport's counts as much as 100 of its
// icon: a whole 26 px icon (~700 px², at most ~1,000 px² for a rotated one's box) weighs less
// than a sliver of overlapping text, since text over text is what cannot be read.
const LABEL_WEIGHT = 100;

/** Move each airport label in ``container`` to the first side of its dot where it covers no
 * aircraft icon or shown aircraft label (aircraft near a field hid "ZKPY" at phone size), lies
 * wholly on the map and under none of its controls (at phone size "LFBD / BOD" sat behind the
 * zoom buttons, cut at the map's left edge). When each side on the map covers an aircraft (one
 * on the dot), the side covering the least is taken, an aircraft's label weighing far more than
 * its icon (``LABEL_WEIGHT``); when no side is on the map (a dot at its edge or under a
 * control), or the dot is off it, the label is hidden (moving the map shows it again). Reads all
 * boxes first, then writes: one layout. */
export function declutterAirportLabels(container) {
  const labels = [...container.querySelectorAll(".ap-label")];
  for (const lab of labels) delete lab.dataset.side;
  const boxes = (sel) => [...container.querySelectorAll(sel)].map((e) => e.getBoundingClientRect())
    .filter((r) => r.width > 0 && r.height > 0);
  const acIcons = boxes(".ac svg"), acLabels = boxes(".ac .ac-label");
  const controls = boxes(".leaflet-control");
  const m = container.getBoundingClientRect();
  const onMap = (r) => r.left >= m.left && r.right <= m.right && r.top >= m.top && r.bottom <= m.bottom
    && !controls.some((c) => overlaps(r, c));
  const sides = labels.map((lab) => {
    const r = lab.getBoundingClientRect(), d = lab.parentElement.getBoundingClientRect();
    const w = r.width, h = r.height, cx = d.left + d.width / 2;
    const at = {
      right: r,
      left: { left: d.right - 11 - w, right: d.right - 11, top: r.top, bottom: r.bottom },
      below: { left: cx - w / 2, right: cx + w / 2, top: d.top + 11, bottom: d.top + 11 + h },
      above: { left: cx - w / 2, right: cx + w / 2, top: d.bottom - 11 - h, bottom: d.bottom - 11 },
    };
    const cy = d.top + d.height / 2;
    if (cx < m.left || cx > m.right || cy < m.top || cy > m.bottom) return "hidden";  // dot off it
    const free = LABEL_SIDES.filter((s) => onMap(at[s]));
    if (!free.length) return "hidden";
    // Least covered side: text over text is unreadable ("LAFR34ZG" at LFBO, the aircraft on
    // the dot with its label shown), a corner of an icon under the text is not; first side wins
    // ties (no cover: the first free side, as before).
    const cover = (s) => acLabels.reduce((n, b) => n + LABEL_WEIGHT * area(at[s], b), 0)
      + acIcons.reduce((n, b) => n + area(at[s], b), 0);
    return free.reduce((best, s) => (cover(s) < cover(best) ? s : best), free[0]);
  });
  labels.forEach((lab, i) => { if (sides[i] !== "right") lab.dataset.side = sides[i]; });
  // Place names ("Madrid" read "drid" at the map's left edge) have no other side: hidden.
  const places = [...container.querySelectorAll(".place")];
  const off = places.map((e) => !onMap(e.getBoundingClientRect()));
  places.forEach((e, i) => { e.classList.toggle("off-map", off[i]); });
}

// Why 110 px: a label cut to this width still shows the registration and the start of its
// state ("RA96017 · sist høyrd…" at 11 px type); narrower says less than the other side.
const WRAP_MIN_PX = 110;
/** Keep aircraft labels on the map (at phone size "RA96017 · sist høyrd for 40 min sidan" ran
 * off the screen near Pyongyang): a label that would run past the right edge is cut to the room
 * on its right ("…"; one line, so it never runs into the label below), or, with too little room
 * there, sits on the icon's left (cut if need be). The details panel has the whole text.
 * Reads every box first, then writes: one layout. The offsets match app.css (.ac-label). */
export function keepAircraftLabelsInside(container) {
  const labels = [...container.querySelectorAll(".ac .ac-label")];
  for (const lab of labels) { delete lab.dataset.side; lab.style.width = ""; }
  const m = container.getBoundingClientRect();
  const plans = labels.map((lab) => {
    const r = lab.getBoundingClientRect(), d = lab.parentElement.getBoundingClientRect();
    if (r.width === 0 || r.right <= m.right) return null;
    const right = m.right - (d.left + 24), left = (d.right - 24) - m.left;
    // Cut on its own side while that leaves a readable width (the airport labels are
    // placed around the aircraft labels where they were); else the icon's left if it fits.
    if (right >= WRAP_MIN_PX) return { side: "right", width: Math.floor(right) - 4 };
    if (r.width <= left) return { side: "left" };
    const side = left > right ? "left" : "right";
    return { side, width: Math.max(40, Math.floor(side === "left" ? left : right) - 4) };
  });
  labels.forEach((lab, i) => {
    const p = plans[i];
    if (!p) return;
    if (p.side === "left") lab.dataset.side = "left";
    if (p.width) lab.style.width = `${p.width}px`;
  });
}

// ---- runways ---------------------------------------------------------------------------------
// Why zoom 12: a 45 m runway is ~1.5 px wide at zoom 11 and ~3 px at 12; below that the
// airport label says more than the line.
export const RUNWAY_MIN_ZOOM = 12;

export class RunwayLayer {
  constructor(map) {
    this.map = map;
    this.layer = L.layerGroup().addTo(map);
    this.seq = 0;
    map.on("moveend zoomend", () => this.draw().catch(() => {}));
  }
  async draw() {
    const seq = ++this.seq;
    if (this.map.getZoom() < RUNWAY_MIN_ZOOM) { this.layer.clearLayers(); return; }
    const b = this.map.getBounds().pad(0.2);
    const wrap = (x) => ((x + 540) % 360) - 180;
    const box = [wrap(b.getWest()), Math.max(-90, b.getSouth()), wrap(b.getEast()), Math.min(90, b.getNorth())]
      .map((v) => v.toFixed(4)).join(",");
    const doc = await getJSON(`/geo/runways.geojson?bbox=${box}`);
    if (seq !== this.seq) return;  // a newer view asked meanwhile
    this.layer.clearLayers();
    const mPerPx = 40075016.7 * Math.cos(this.map.getCenter().lat * Math.PI / 180) / (256 * 2 ** this.map.getZoom());
    for (const f of doc.features) {
      const [[lo1, la1], [lo2, la2]] = f.geometry.coordinates;
      const p = f.properties;
      const widthPx = Math.max(2, ((p.width_ft || 100) * 0.3048) / mPerPx);
      L.polyline([[la1, nearLng(this.map, lo1)], [la2, nearLng(this.map, lo2)]], { pane: "airports", interactive: false,
        color: "#4a4f55", weight: widthPx, opacity: 0.85, lineCap: "butt", className: `runway rwy-${p.airport}` }).addTo(this.layer);
      for (const [lat, lng, id] of [[la1, lo1, p.le], [la2, lo2, p.he]]) {
        if (!id) continue;
        L.marker([lat, nearLng(this.map, lng)], { pane: "airports", interactive: false, keyboard: false,
          icon: L.divIcon({ className: "rwy-icon", iconSize: null, html: el("span", { class: "rwy-end", text: id }) }) })
          .addTo(this.layer);
      }
    }
  }
}

// ---- receivers and range rings --------------------------------------------------------------
// Why 50 NM steps to 200 NM: tar1090's default rings; a receiver at ground level rarely hears
// much beyond 200-250 NM (radio horizon of an airliner at FL400 is ~245 NM).
export const RING_NM = [50, 100, 150, 200];
const NM_M = 1852;

/** Range rings and a marker for each receiver with a position ({lat, lon}); plain DOM labels. */
export function drawReceivers(map, layer, receivers) {
  layer.clearLayers();
  for (const r of receivers || []) {
    const c = [r.lat, nearLng(map, r.lon)];
    for (const nm of RING_NM) {
      L.circle(c, { radius: nm * NM_M, pane: "rings", className: "range-ring", color: "#4a5560",
        weight: 1, opacity: 0.7, fill: false, interactive: false, dashArray: "4 4" }).addTo(layer);
      // Label at the ring's top: nm / 60 degrees of latitude north of the receiver.
      L.marker([r.lat + nm / 60, c[1]], { pane: "rings", interactive: false, keyboard: false,
        icon: L.divIcon({ className: "ring-icon", iconSize: null,
          html: el("span", { class: "ring-label", text: `${nm} NM` }) }) }).addTo(layer);
    }
    L.marker(c, { pane: "rings", interactive: false, keyboard: false,
      icon: L.divIcon({ className: "rx-icon", iconSize: [12, 12], iconAnchor: [6, 6],
        html: el("div", { class: "rx", "data-lat": String(r.lat), "data-lon": String(r.lon) }) }) }).addTo(layer);
  }
}

// ---- aircraft markers -----------------------------------------------------------------------
const PALETTE = ["#c62828", "#7b1fa2", "#2e7d32", "#e65100", "#6d4c41", "#ad1457", "#00838f"];
export function fleetColour(ac) {
  const f = (ac.fleet || [])[0];
  if (!f) return "#1f4e8c";
  let h = 0;
  for (const c of f) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length];
}

/** The label of an aircraft: callsign, else registration, else hex (plain text). */
export function acLabel(ac) {
  return ((ac.flight || "").trim() || ac.r || ac.hex).trim();
}

const SVG_NS = "http://www.w3.org/2000/svg";
/** The marker's DOM (text via textContent: a hostile callsign renders as text). */
export function markerElement(ac, selected, ghostText) {
  const svg = document.createElementNS(SVG_NS, "svg");
  for (const [k, v] of Object.entries({ width: 26, height: 26, viewBox: "-13 -13 26 26", "aria-hidden": "true" })) svg.setAttribute(k, v);
  svg.style.transform = `rotate(${typeof ac.track === "number" ? ac.track : 0}deg)`;
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", "M0,-11 L7,9 L0,5 L-7,9 Z");
  path.setAttribute("fill", ac.ghost ? "#9aa3ab" : fleetColour(ac));
  path.setAttribute("stroke", selected ? "#ffd400" : "#fff");
  path.setAttribute("stroke-width", selected ? 3 : 1.5);
  if (ac.ghost) path.setAttribute("stroke-dasharray", "3 2");
  svg.append(path);
  const cls = ["ac", ac.ghost ? "ghost" : "", selected ? "sel" : "", (ac.fleet || []).length ? "labelled" : ""];
  const label = el("span", { class: "ac-label", text: acLabel(ac) + (ac.ghost ? ` · ${ghostText}` : "") });
  return el("div", { class: cls.filter(Boolean).join(" "), "data-hex": ac.hex }, svg, label);
}

// Why 14 px: two 26 px aircraft icons closer than this hide each other's shape.
const STACK_PX = 14;
// Why 20 px: a ring this wide keeps up to ~8 spread icons apart without covering the labels.
const SPIDER_PX = 20;

/** Spread aircraft whose markers would stack on one spot around a small ring (layer points). */
export function spiderfy(map, items) {
  const pts = items.map((it) => map.latLngToLayerPoint(it.latlng));
  const groups = [];
  const used = new Array(items.length).fill(false);
  for (let i = 0; i < items.length; i++) {
    if (used[i]) continue;
    const g = [i]; used[i] = true;
    for (let j = i + 1; j < items.length; j++) {
      if (!used[j] && pts[i].distanceTo(pts[j]) < STACK_PX) { g.push(j); used[j] = true; }
    }
    groups.push(g);
  }
  for (const g of groups) {
    if (g.length < 2) continue;
    g.forEach((idx, k) => {
      const a = 2 * Math.PI * k / g.length;
      const p = pts[g[0]].add(L.point(Math.cos(a) * SPIDER_PX, Math.sin(a) * SPIDER_PX));
      items[idx].latlng = map.layerPointToLatLng(p);
      items[idx].spread = true;
    });
  }
  return items;
}

// ---- trails ---------------------------------------------------------------------------------
/** One polyline per run of points with the same altitude colour ("a gap is not a path"). */
export function drawTrail(map, layer, segments) {
  const drawn = [];
  for (const seg of segments) {
    if (seg.length < 2) continue;
    let prev = null, run = [], colour = null;
    const flush = () => {
      if (run.length > 1) {
        L.polyline(run, { color: colour, weight: 3, opacity: 0.9, pane: "trails", className: "trail", interactive: false }).addTo(layer);
        drawn.push({ latlngs: run.slice(), colour, dashed: false });
      }
    };
    for (const p of seg) {
      // Unwrap longitudes so a segment crossing 180° stays continuous, near the view.
      const lng = prev === null ? nearLng(map, p[2]) : p[2] + 360 * Math.round((prev - p[2]) / 360);
      prev = lng;
      const c = altitudeColour(p[3]);
      const pt = [p[1], lng];
      if (c !== colour) { flush(); const last = run[run.length - 1]; run = last ? [last, pt] : [pt]; colour = c; } else run.push(pt);
    }
    flush();
  }
  return drawn;
}

/** A dashed line from a last known position to the airport of an inferred landing. */
export function drawInferredLeg(layer, from, to) {
  L.polyline([from, to], { color: "#8a5300", weight: 2.5, dashArray: "6 6", pane: "trails",
    className: "inferred-leg", interactive: false }).addTo(layer);
  return { latlngs: [from, to], colour: "#8a5300", dashed: true };
}
