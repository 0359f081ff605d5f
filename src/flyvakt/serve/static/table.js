// The sortable aircraft list (tar1090's table): one row per aircraft shown on the map.
import { translate } from "./i18n.js";
import { el } from "./util.js";

const num = (v) => (typeof v === "number" && isFinite(v) ? v : null);
export const COLUMNS = [
  { key: "hex", label: "hex", get: (a) => a.hex },
  { key: "r", label: "registration", get: (a) => a.r || "" },
  { key: "flight", label: "callsign", get: (a) => (a.flight || "").trim() },
  { key: "t", label: "type", get: (a) => a.t || "" },
  { key: "alt", label: "altitude", get: (a) => (a.alt_baro === "ground" ? 0 : num(a.alt_baro)),
    show: (a) => (a.alt_baro === "ground" ? "ground" : a.alt_baro ?? "") },
  { key: "gs", label: "speed", get: (a) => num(a.gs), show: (a) => (num(a.gs) == null ? "" : Math.round(a.gs)) },
  { key: "dist", label: "distance", get: (a) => num(a._dist_nm),
    show: (a) => (num(a._dist_nm) == null ? "" : Math.round(a._dist_nm)) },
  { key: "age", label: "age", get: (a) => num(a.seen_pos ?? a.seen), show: (a) => {
    const s = num(a.seen_pos ?? a.seen); return s == null ? "" : s < 120 ? `${Math.round(s)} s` : `${Math.round(s / 60)} min`; } },
  { key: "fleet", label: "fleetcol", get: (a) => (a.fleet || []).join(", ") },
];

/** Sort rows by column ``key``; empty values last whatever the direction. */
export function sortRows(rows, key, dir) {
  const col = COLUMNS.find((c) => c.key === key) || COLUMNS[0];
  return [...rows].sort((x, y) => {
    const a = col.get(x), b = col.get(y);
    const ea = a === null || a === "", eb = b === null || b === "";
    if (ea || eb) return ea === eb ? 0 : ea ? 1 : -1;
    const c = typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b));
    return dir === "desc" ? -c : c;
  });
}

/**
 * Draw ``rows`` into the table ``tbl``. ``sort`` = {key, dir} is changed in place by a click
 * on a column header; ``onSort()`` and ``onSelect(hex)`` are the callbacks.
 */
export function renderTable(tbl, rows, sort, ctx) {
  const t = (k, vars) => translate(ctx.lang, k, vars);
  const head = el("tr");
  for (const c of COLUMNS) {
    const active = sort.key === c.key;
    const b = el("button", { type: "button", class: "th-sort", "data-col": c.key,
      "aria-label": t("sortby", { col: t(c.label) }),
      title: c.key === "dist" ? t("distance_title") : null },
    t(c.label === "hex" ? "hex" : c.label) + (active ? (sort.dir === "asc" ? " ▲" : " ▼") : ""));
    b.addEventListener("click", () => {
      sort.dir = active && sort.dir === "asc" ? "desc" : "asc";
      sort.key = c.key;
      ctx.onSort();
    });
    head.append(el("th", { scope: "col", "aria-sort": active ? (sort.dir === "asc" ? "ascending" : "descending") : null }, b));
  }
  const body = el("tbody");
  for (const a of sortRows(rows, sort.key, sort.dir)) {
    const tr = el("tr", { "data-hex": a.hex, class: [a.hex === ctx.selected ? "sel" : "", a.ghost ? "ghost" : ""].join(" ").trim() || null });
    for (const c of COLUMNS) {
      const v = c.show ? c.show(a) : c.get(a);
      if (c.key === "hex") {
        const b = el("button", { type: "button", class: "link-hex", text: v });
        b.addEventListener("click", () => ctx.onSelect(a.hex));
        tr.append(el("td", {}, b));
      } else {
        tr.append(el("td", { text: v === "ground" ? t("ground") : v }));
      }
    }
    tr.addEventListener("mouseenter", () => ctx.onHover(a.hex, true));
    tr.addEventListener("mouseleave", () => ctx.onHover(a.hex, false));
    body.append(tr);
  }
  tbl.replaceChildren(el("caption", { class: "sr-only", text: t("table") }), el("thead", {}, head), body);
}
