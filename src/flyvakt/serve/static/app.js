// flyvakt web map: plain JS over the JSON API, no build step, no internet.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const I18N = window.FLYVAKT_I18N;
  const READER_TZ = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  const params = new URLSearchParams(location.search);
  const state = {
    lang: params.get("lang") || localStorage.getItem("flyvakt.lang") || "en",
    live: false, firstS: null, lastS: null, winFrom: null, winTo: null, t: null,
    playing: false, aircraft: [], selected: params.get("hex"), markers: new Map(),
    fleets: [], busy: false, pending: false,
  };
  if (!I18N[state.lang]) state.lang = "en";

  function tr(key, vars) {
    let s = (I18N[state.lang] && I18N[state.lang][key]) || I18N.en[key] || key;
    for (const [k, v] of Object.entries(vars || {})) s = s.replace("{" + k + "}", v);
    return s;
  }
  function applyLabels() {
    document.documentElement.lang = state.lang;
    document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = tr(el.dataset.i18n); });
    document.querySelectorAll("[data-i18n-ph]").forEach((el) => { el.placeholder = tr(el.dataset.i18nPh); });
    $("play").textContent = tr(state.playing ? "pause" : "play");
    $("mode").textContent = tr(state.live ? "live" : "stored");
    $("ev-zone").textContent = tr("zones", { tz: READER_TZ });
  }

  // ---- time helpers -------------------------------------------------------------------
  const pad = (n) => String(n).padStart(2, "0");
  function isoUtc(s) {
    const d = new Date(s * 1000);
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
      `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`;
  }
  function inputValue(s) { return isoUtc(s).slice(0, 19); }
  function fromInput(v) {
    const t = Date.parse(v.trim().replace(" ", "T").replace(/Z$/i, "") + "Z");
    return isNaN(t) ? null : t / 1000;
  }
  function inZone(s, tz) {
    try {
      return new Intl.DateTimeFormat(state.lang === "en" ? "en-GB" : "nb-NO", {
        timeZone: tz, hour: "2-digit", minute: "2-digit", day: "2-digit", month: "short",
        timeZoneName: "short" }).format(new Date(s * 1000));
    } catch (e) { return "–"; }
  }
  async function getJSON(url, opts) {
    const r = await fetch(url, opts);
    const body = await r.json().catch(() => ({ error: r.statusText }));
    if (!r.ok) throw new Error(body.error || r.statusText);
    return body;
  }

  // ---- map ----------------------------------------------------------------------------
  const map = L.map("map", { worldCopyJump: true, preferCanvas: false, minZoom: 2 })
    .setView([30, 10], 3);
  const tileUrl = params.get("tiles") || localStorage.getItem("flyvakt.tiles");
  if (tileUrl) L.tileLayer(tileUrl, { maxZoom: 18 }).addTo(map);  // only if configured
  // Leaflet does not repeat vector layers across world copies: draw the outlines three times
  // (shifted by -360, 0, +360) so Chukotka sits next to the rest of Russia, and place aircraft
  // and trails on the copy nearest the view centre. No outline edge crosses the antimeridian.
  function shifted(doc, dx) {
    const mv = (c) => (typeof c[0] === "number" ? [c[0] + dx, c[1]] : c.map(mv));
    return { type: "FeatureCollection", features: doc.features.map((f) => ({ type: "Feature",
      properties: f.properties, geometry: { type: f.geometry.type, coordinates: mv(f.geometry.coordinates) } })) };
  }
  getJSON("/geo/countries.geojson").then((doc) => {
    // Render outlines well beyond the view so a pan never shows an unfilled band.
    const renderer = L.svg({ padding: 1 });
    for (const dx of [-360, 0, 360]) {
      L.geoJSON(dx ? shifted(doc, dx) : doc, { interactive: false, renderer, noClip: true, style: {
        color: "#8a9299", weight: 0.7, fillColor: "#f4f1ea", fillOpacity: tileUrl ? 0 : 1 } })
        .addTo(map).bringToBack();
    }
  });
  function nearLng(lng) {
    const c = map.getCenter().lng;
    return lng + 360 * Math.round((c - lng) / 360);
  }
  const trackLayer = L.layerGroup().addTo(map);
  const acLayer = L.layerGroup().addTo(map);
  map.on("moveend", () => { for (const ac of state.aircraft) {
    const m = state.markers.get(ac.hex);
    if (m) m.setLatLng([ac.lat, nearLng(ac.lon)]);
  } });

  const PALETTE = ["#d62728", "#9467bd", "#2ca02c", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];
  function fleetColour(ac) {
    const f = (ac.fleet || [])[0];
    if (!f) return "#1f4e8c";
    let h = 0;
    for (const c of f) h = (h * 31 + c.charCodeAt(0)) >>> 0;
    return PALETTE[h % PALETTE.length];
  }
  function icon(ac, selected) {
    const rot = typeof ac.track === "number" ? ac.track : 0;
    const col = fleetColour(ac);
    const label = (ac.flight || ac.hex).trim();
    const svg = `<svg width="26" height="26" viewBox="-13 -13 26 26" style="transform:rotate(${rot}deg)">` +
      `<path d="M0,-11 L7,9 L0,5 L-7,9 Z" fill="${col}" stroke="${selected ? "#ffd400" : "#fff"}" stroke-width="${selected ? 3 : 1.5}"/></svg>`;
    return L.divIcon({ className: "ac-icon", iconSize: [26, 26], iconAnchor: [13, 13],
      html: `<div class="ac" data-hex="${ac.hex}">${svg}<span class="ac-label">${label}</span></div>` });
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

  function drawAircraft() {
    const seen = new Set();
    let n = 0;
    for (const ac of state.aircraft) {
      if (typeof ac.lat !== "number" || !passes(ac)) continue;
      n++;
      seen.add(ac.hex);
      let m = state.markers.get(ac.hex);
      const sel = ac.hex === state.selected;
      if (!m) {
        m = L.marker([ac.lat, nearLng(ac.lon)], { icon: icon(ac, sel), keyboard: false });
        m.on("click", () => select(ac.hex));
        m.addTo(acLayer);
        state.markers.set(ac.hex, m);
      } else {
        m.setLatLng([ac.lat, nearLng(ac.lon)]);
        m.setIcon(icon(ac, sel));
      }
      m.setZIndexOffset(sel ? 1000 : 0);
    }
    for (const [hex, m] of state.markers) {
      if (!seen.has(hex)) { acLayer.removeLayer(m); state.markers.delete(hex); }
    }
    $("count").textContent = tr("shown", { n });
    if (state.selected) {
      showDetails();
      const m = state.markers.get(state.selected);
      // Follow the selected aircraft: never leave it moving off-screen during playback.
      if (m && !map.getBounds().pad(-0.1).contains(m.getLatLng())) map.panTo(m.getLatLng(), { animate: false });
    }
  }

  // ---- details and track ----------------------------------------------------------------
  function fmt(v, unit) { return v === undefined || v === null ? "–" : `${v}${unit || ""}`; }
  function showDetails() {
    const ac = state.aircraft.find((a) => a.hex === state.selected);
    $("details").hidden = false;
    $("d-title").textContent = state.selected;
    const rows = [];
    if (ac) {
      const alt = ac.alt_baro === "ground" ? tr("ground") : fmt(ac.alt_baro, " ft");
      rows.push([tr("hex"), ac.hex], [tr("registration"), ac.r || "–"],
        [tr("callsign"), (ac.flight || "–").trim()], [tr("altitude"), alt],
        [tr("speed"), fmt(ac.gs, " kt")], [tr("heading"), fmt(ac.track, "°")],
        [tr("vrate"), fmt(ac.baro_rate, " ft/min")], [tr("squawk"), ac.squawk || "–"],
        [tr("position"), `${ac.lat.toFixed(4)}, ${ac.lon.toFixed(4)}`],
        [tr("source"), ac.source || ac.type || "–"], [tr("fleetcol"), (ac.fleet || []).join(", ") || "–"],
        [tr("age"), tr("ago", { s: Math.round(ac.seen_pos ?? ac.seen ?? 0) })]);
      if (ac.field_age_s) {
        const ages = Object.entries(ac.field_age_s).map(([k, v]) => `${k} ${Math.round(v)} s`).join(", ");
        rows.push([tr("fieldage"), ages]);
      }
    } else {
      rows.push([tr("hex"), state.selected], [tr("position"), tr("unknown")]);
    }
    $("d-table").innerHTML = "";
    for (const [k, v] of rows) {
      const tr_ = document.createElement("tr");
      const th = document.createElement("th"); th.textContent = k;
      const td = document.createElement("td"); td.textContent = v;
      if (k === tr("hex")) td.id = "d-hex";
      tr_.append(th, td); $("d-table").append(tr_);
    }
    const q = `icao24=${state.selected}&from=${Math.floor(state.winFrom || 0)}&to=${Math.ceil(state.t || state.winTo || 0)}`;
    for (const f of ["geojson", "kml", "csv"]) $("x-" + f).href = `/api/export?${q}&format=${f}`;
  }
  async function loadTrack() {
    trackLayer.clearLayers();
    if (!state.selected) return;
    const to = state.t || state.lastS, from = state.live ? to - 3600 : state.winFrom;
    const doc = await getJSON(`/api/aircraft/${state.selected}/track?from=${from}&to=${to}`);
    for (const seg of doc.segments) {  // one line per segment: a gap is not a path
      if (seg.length < 2) continue;
      // Unwrap longitudes so a segment crossing 180° stays continuous, near the view.
      const pts = [];
      let prev = null;
      for (const p of seg) {
        let lng = prev === null ? nearLng(p[2]) : p[2] + 360 * Math.round((prev - p[2]) / 360);
        pts.push([p[1], lng]); prev = lng;
      }
      L.polyline(pts, { color: "#1f4e8c", weight: 2.5, opacity: 0.8,
        className: "trail" }).addTo(trackLayer);
    }
  }
  function select(hex) {
    state.selected = hex;
    drawAircraft();
    showDetails();
    loadTrack().catch(showError);
  }
  $("d-close").onclick = () => {
    state.selected = null; $("details").hidden = true; trackLayer.clearLayers(); drawAircraft();
  };

  // ---- data loading -------------------------------------------------------------------
  async function refresh() {
    if (state.busy) { state.pending = true; return; }
    state.busy = true;
    try {
      const url = state.live ? "/api/aircraft" : `/api/aircraft?at=${state.t}`;
      const doc = await getJSON(url);
      state.aircraft = doc.aircraft || [];
      if (doc.now) state.t = state.live ? doc.now : state.t;
      drawAircraft();
      updateClock();
    } catch (e) { showError(e); } finally {
      state.busy = false;
      if (state.pending) { state.pending = false; refresh(); }
    }
  }
  function updateClock() {
    if (state.t == null) { $("clock").textContent = "–"; return; }
    $("clock").textContent = isoUtc(state.t);
    $("clock").title = inZone(state.t, READER_TZ);
    if (state.winFrom != null && state.winTo > state.winFrom) {
      $("slider").value = Math.round(1000 * (state.t - state.winFrom) / (state.winTo - state.winFrom));
    }
  }
  function showError(e) { console.error(e); $("count").textContent = String(e.message || e); }

  async function loadEvents() {
    const q = new URLSearchParams({ limit: "500" });
    if (!state.live && state.winFrom != null) { q.set("since", state.winFrom); q.set("until", state.winTo); }
    if ($("f-fleet").value) q.set("fleet", $("f-fleet").value);
    const list = $("ev-list");
    let doc;
    try { doc = await getJSON(`/api/events?${q}`); } catch (e) {
      list.innerHTML = `<li class="muted"></li>`; list.firstChild.textContent = String(e.message || e);
      return;
    }
    list.innerHTML = "";
    if (!doc.events.length) { list.innerHTML = `<li class="muted">${tr("none")}</li>`; return; }
    for (const ev of doc.events.slice().reverse()) {
      const t = Date.parse(ev.time) / 1000;
      const li = document.createElement("li");
      const place = ev.airport ? `${ev.airport.icao} ${ev.airport.name || ""}` : (ev.country || "");
      const local = ev.local_time ? ev.local_time.slice(11, 16) + " " + ev.local_time.slice(19) : "–";
      li.innerHTML = `<b class="ev-type ev-${ev.type}"></b> <span class="ev-who"></span>` +
        `<div class="ev-place"></div><div class="ev-times"></div>`;
      li.querySelector(".ev-type").textContent = tr("ev_" + ev.type) === "ev_" + ev.type
        ? ev.type.replace(/_/g, " ") : tr("ev_" + ev.type);
      li.querySelector(".ev-who").textContent = `${(ev.callsign || "").trim()} ${ev.icao24} · ${tr(ev.basis)}`;
      li.querySelector(".ev-place").textContent = place;
      li.querySelector(".ev-times").textContent =
        `${isoUtc(t)} · ${local} ${tr("localplace")} · ${inZone(t, READER_TZ)}`;
      li.onclick = () => { setTime(t); select(ev.icao24); };
      list.append(li);
    }
  }

  function setTime(t) {
    if (state.live) return;
    state.t = Math.max(state.winFrom, Math.min(state.winTo, t));
    updateClock();
    refresh();
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
  $("play").onclick = () => {
    state.playing = !state.playing;
    applyLabels();
    if (timer) { clearInterval(timer); timer = null; }
    if (!state.playing) return;
    if (state.t >= state.winTo) state.t = state.winFrom;
    const stepMs = 500;
    timer = setInterval(() => {
      const next = state.t + Number($("speed").value) * stepMs / 1000;
      if (next >= state.winTo) { $("play").click(); }
      setTime(next);
    }, stepMs);
  };
  $("live").onclick = () => setTime(state.winTo);

  for (const id of ["f-text", "f-altmin", "f-altmax"]) $(id).addEventListener("input", drawAircraft);
  $("f-fleet").addEventListener("change", () => { drawAircraft(); loadEvents().catch(showError); });
  $("lang").value = state.lang;
  $("lang").addEventListener("change", () => {
    state.lang = $("lang").value; localStorage.setItem("flyvakt.lang", state.lang);
    applyLabels(); drawAircraft(); loadEvents().catch(showError);
  });

  // ---- claims ---------------------------------------------------------------------------
  $("claim-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const out = $("verdict");
    out.textContent = tr("checking");
    try {
      const v = await getJSON("/api/verify", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ claim: $("claim-text").value, lang: state.lang, tz: READER_TZ }) });
      out.innerHTML = `<div class="verdict v-${v.verdict}"></div><p class="summary"></p>` +
        `<details open><summary>${tr("evidence")}</summary><ul class="evidence"></ul></details>` +
        `<div class="muted through"></div>`;
      out.querySelector(".verdict").textContent = tr(v.verdict);
      out.querySelector(".summary").textContent = v.summary;
      const ul = out.querySelector(".evidence");
      const add = (text) => { const li = document.createElement("li"); li.textContent = text; ul.append(li); };
      for (const m of (v.evidence && v.evidence.members) || []) {
        for (const ev of m.events || []) add(`${ev.type} ${ev.icao24} ${ev.airport ? ev.airport.icao : ev.country || ""} ${ev.time}`);
        if (m.last_fix_before) add(`${tr("lastbefore")} (${m.icao24}): ${m.last_fix_before.time} ${m.last_fix_before.lat}, ${m.last_fix_before.lon}`);
        if (m.first_fix_after) add(`${tr("firstafter")} (${m.icao24}): ${m.first_fix_after.time}`);
        if (m.gap) add(`${tr("gap")} (${m.icao24}): ${JSON.stringify(m.gap)}`);
      }
      out.querySelector(".through").textContent = `${tr("datathrough")}: ${v.data_through || "–"}`;
    } catch (err) {
      out.innerHTML = `<div class="error"></div>`;
      out.querySelector(".error").textContent = String(err.message || err);
    }
  });

  // ---- start ----------------------------------------------------------------------------
  async function start() {
    applyLabels();
    const st = await getJSON("/api/status");
    state.live = st.live;
    state.firstS = st.first_fix_s; state.lastS = st.data_through_s || st.last_fix_s;
    applyLabels();
    getJSON(`/api/fleets?lang=${state.lang}`).then((doc) => {
      for (const f of doc.fleets) {
        const o = document.createElement("option"); o.value = f.id; o.textContent = f.name;
        $("f-fleet").append(o);
      }
    }).catch(showError);
    if (state.live) {
      $("playback").classList.add("live");
      setInterval(refresh, 2000);
      if (window.EventSource) {
        const es = new EventSource("/api/stream");
        es.addEventListener("event", () => loadEvents().catch(showError));
      }
      await refresh();
      loadEvents().catch(showError);
    } else if (state.lastS != null) {
      // Default window: the last three hours of stored data (change it with From/To).
      const from = Math.max(state.firstS ?? state.lastS - 10800, state.lastS - 10800);
      setWindow(from, state.lastS);
      state.t = state.lastS;
      await refresh();
    }
    const pts = state.aircraft.filter((a) => typeof a.lat === "number").map((a) => [a.lat, a.lon]);
    if (pts.length) map.fitBounds(L.latLngBounds(pts).pad(0.5), { maxZoom: 6 });
    if (state.selected) select(state.selected);
  }
  start().catch(showError);
  window.flyvakt = { state, map, setTime, select };  // for tests and the console
})();
