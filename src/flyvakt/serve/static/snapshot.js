// "Save image": a PNG of the map at this moment, drawn in the browser on a canvas (works
// offline, no tiles, no server round trip): land outlines, airports, trails, aircraft, the
// caption in the chosen language, the data attribution, and a watermark for reconstructions.

const SEA = "#c9dcec", LAND = "#f4f1ea", BORDER = "#8a9299";
// Why 2×: a publishable image needs more pixels than the screen's CSS size.
const SCALE = 2;

function polygonPaths(ctx, geom, project) {
  const rings = geom.type === "Polygon" ? [geom.coordinates]
    : geom.type === "MultiPolygon" ? geom.coordinates : [];
  for (const poly of rings) {
    for (const ring of poly) {
      ring.forEach((c, i) => {
        const p = project(c[1], c[0]);
        if (i === 0) ctx.moveTo(p.x, p.y); else ctx.lineTo(p.x, p.y);
      });
      ctx.closePath();
    }
  }
}

function wrap(ctx, text, width) {
  const lines = [];
  for (const para of String(text).split("\n")) {
    let line = "";
    for (const w of para.split(" ")) {
      const next = line ? line + " " + w : w;
      if (ctx.measureText(next).width > width && line) { lines.push(line); line = w; } else line = next;
    }
    lines.push(line);
  }
  return lines;
}

/**
 * Draw the snapshot. ``scene``: {map (Leaflet), countries (GeoJSON or null), trails
 * ([{latlngs, colour, dashed}]), aircraft ([{lat, lng, track, colour, ghost, label}]),
 * airports ([{lat, lng, label, side}], side: right, left, below, above or hidden), caption (text),
 * attribution (text), watermark (text or "")}.
 * Returns the canvas.
 */
export function drawSnapshot(scene) {
  const size = scene.map.getSize();
  const captionFont = "15px system-ui, sans-serif";
  const canvas = document.createElement("canvas");
  const probe = canvas.getContext("2d");
  probe.font = captionFont;
  const capLines = wrap(probe, scene.caption, size.x - 24);
  const capH = 16 + capLines.length * 20 + 22;
  canvas.width = size.x * SCALE;
  canvas.height = (size.y + capH) * SCALE;
  const ctx = canvas.getContext("2d");
  ctx.scale(SCALE, SCALE);
  const project = (lat, lng) => scene.map.latLngToContainerPoint([lat, lng]);
  ctx.fillStyle = SEA;
  ctx.fillRect(0, 0, size.x, size.y);
  ctx.save();
  ctx.beginPath(); ctx.rect(0, 0, size.x, size.y); ctx.clip();
  if (scene.countries) {
    const c = scene.map.getCenter().lng;
    for (const dx of [-360, 0, 360]) {  // the same three world copies the map draws
      if (Math.abs(c - dx) > 270) continue;
      ctx.beginPath();
      for (const f of scene.countries.features) polygonPaths(ctx, f.geometry, (la, lo) => project(la, lo + dx));
      ctx.fillStyle = LAND; ctx.fill("evenodd");
      ctx.strokeStyle = BORDER; ctx.lineWidth = 0.7; ctx.stroke();
    }
  }
  for (const tr of scene.trails) {
    ctx.beginPath();
    tr.latlngs.forEach((ll, i) => { const p = project(ll[0], ll[1]); if (i) ctx.lineTo(p.x, p.y); else ctx.moveTo(p.x, p.y); });
    ctx.setLineDash(tr.dashed ? [6, 5] : []);
    ctx.strokeStyle = tr.colour; ctx.lineWidth = 2.5; ctx.stroke();
  }
  ctx.setLineDash([]);
  ctx.font = "11px system-ui, sans-serif";
  for (const ap of scene.airports) {
    const p = project(ap.lat, ap.lng);
    ctx.fillStyle = "#5b2c83"; ctx.beginPath(); ctx.arc(p.x, p.y, 3.5, 0, 2 * Math.PI); ctx.fill();
    // The side the map chose (off the aircraft); offsets as the map's, from the dot's centre.
    const side = ap.side || "right";
    if (side === "hidden") continue;  // no room for it on the map: the dot alone
    ctx.textAlign = side === "left" ? "right" : side === "right" ? "left" : "center";
    const x = side === "left" ? p.x - 6 : side === "right" ? p.x + 6 : p.x;
    ctx.fillText(ap.label, x, side === "below" ? p.y + 15 : side === "above" ? p.y - 8 : p.y - 4);
  }
  ctx.textAlign = "left";
  for (const ac of scene.aircraft) {
    const p = project(ac.lat, ac.lng);
    ctx.save(); ctx.translate(p.x, p.y); ctx.rotate((ac.track || 0) * Math.PI / 180);
    ctx.beginPath(); ctx.moveTo(0, -11); ctx.lineTo(7, 9); ctx.lineTo(0, 5); ctx.lineTo(-7, 9); ctx.closePath();
    ctx.fillStyle = ac.ghost ? "#9aa3ab" : ac.colour; ctx.fill();
    ctx.strokeStyle = "#fff"; ctx.lineWidth = 1.5; ctx.stroke(); ctx.restore();
    ctx.fillStyle = "#1d232a"; ctx.font = "600 11px system-ui, sans-serif";
    ctx.fillText(ac.label, p.x + 12, p.y + 4);
  }
  if (scene.watermark) {
    ctx.save(); ctx.translate(size.x / 2, size.y / 2); ctx.rotate(-Math.PI / 12);
    ctx.font = "700 28px system-ui, sans-serif"; ctx.textAlign = "center";
    ctx.fillStyle = "rgba(180, 40, 40, 0.35)"; ctx.fillText(scene.watermark, 0, 0); ctx.restore();
  }
  ctx.restore();
  // Caption band under the map.
  ctx.fillStyle = "#ffffff"; ctx.fillRect(0, size.y, size.x, capH);
  ctx.fillStyle = "#1d232a"; ctx.font = captionFont;
  capLines.forEach((l, i) => ctx.fillText(l, 12, size.y + 24 + i * 20));
  ctx.fillStyle = "#4a5560"; ctx.font = "11px system-ui, sans-serif";
  ctx.fillText(scene.attribution, 12, size.y + capH - 8);
  return canvas;
}

/** Non-background pixels and distinct colours of a canvas (a blank image has neither). */
export function imageStats(canvas) {
  const ctx = canvas.getContext("2d");
  const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
  const first = [data[0], data[1], data[2]];
  let differ = 0;
  const colours = new Set();
  for (let i = 0; i < data.length; i += 4 * 7) {  // every 7th pixel is plenty for a count
    if (data[i] !== first[0] || data[i + 1] !== first[1] || data[i + 2] !== first[2]) differ++;
    if (colours.size < 5000) colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
  }
  return { differ, colours: colours.size, width: canvas.width, height: canvas.height };
}
