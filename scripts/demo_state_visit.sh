#!/usr/bin/env bash
# Demo: the June 2024 state-visit reconstruction through flyvakt, end to end.
#
# APPROXIMATE RECONSTRUCTION -- SYNTHETIC DATA, NOT A RECORDING. The bundled scenario
# (src/flyvakt/data/scenarios/june-2024-state-visit.toml) is built from public news reporting
# only; routes, times, altitudes and receiver sites are assumptions. See docs/reconstruction.md.
#
# Steps: simulate the scenario to a temporary jsonl file -> `flyvakt replay` it with the bundled
# fleets file (events to jsonl) -> the Nynorsk timeline in Norwegian time -> two wire claims
# checked with `flyvakt verify` (09:47 and 20:00 Norwegian time on 18 June 2024), and the
# second fact of the story: the fleet kept out of China's airspace on the way south.
#
# Usage: scripts/demo_state_visit.sh            (from anywhere; ~30-60 s on one core)
#        RATE_SCALE=1.0 scripts/demo_state_visit.sh   (full transmission rates; slower)
#        KEEP=1 scripts/demo_state_visit.sh           (keep the temporary directory)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
flyvakt() { "$PY" -m flyvakt.cli.main "$@"; }
# Half the nominal rates: a ~23 MB file instead of ~46 MB; the events are the same.
RATE_SCALE="${RATE_SCALE:-0.5}"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/flyvakt-state-visit.XXXXXX")"
if [[ -z "${KEEP:-}" ]]; then trap 'rm -rf "$TMP"' EXIT; fi
FRAMES="$TMP/state-visit.jsonl"
EVENTS="$TMP/events.jsonl"
FLEETS="$("$PY" -c 'from flyvakt.fleets import example_fleets_path; print(example_fleets_path())')"
NOTE="APPROXIMATE RECONSTRUCTION (synthetic, from public reporting only) -- not a recording"

section() {
  printf '\n==== %s\n==== %s\n' "$1" "$NOTE"
}

section "1. flyvakt simulate june-2024-state-visit (rate scale $RATE_SCALE)"
flyvakt simulate june-2024-state-visit --format jsonl --rate-scale "$RATE_SCALE" \
  --out "$FRAMES" 2>&1

section "2. flyvakt replay --fleets (bundled) --events-jsonl"
flyvakt replay "$FRAMES" --fleets "$FLEETS" --events-jsonl "$EVENTS" --tz Europe/Oslo --quiet 2>&1
echo "events written: $(wc -l <"$EVENTS") lines in $EVENTS"
echo "events of the three aircraft (type, time UTC, airport, basis):"
"$PY" - "$EVENTS" <<'EOF'
import json, sys
keep = {"takeoff", "landing", "stopover", "fleet_departed", "fleet_landed", "airspace_entry"}
events = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
for e in sorted(events, key=lambda e: e["time"]):  # file order = detection order
    if e["type"] in keep and e["icao24"] in {"157711", "157718", "157719"}:
        where = (e.get("airport") or {}).get("icao") or e.get("country") or "-"
        extra = f" count={e['details']['count']}" if e["type"] == "fleet_landed" else ""
        print(f"  {e['time']}  {e['type']:<15} {e['icao24']}  {where:<5} {e['basis']}{extra}")
EOF

section "3. flyvakt timeline --lang nn --tz Europe/Oslo --fleet ru-gov"
flyvakt timeline "$FRAMES" --fleets "$FLEETS" --fleet ru-gov --lang nn --tz Europe/Oslo 2>&1

section "4a. Claim at 09:47 Norwegian time (07:47 UTC): \"Putin har landa i Nord-Korea\""
flyvakt verify "$FRAMES" --fleets "$FLEETS" --claim "Putin har landa i Nord-Korea" \
  --at 2024-06-18T09:47:00+02:00 --lang nn --tz Europe/Oslo 2>&1
for reg in RA-96017 RA-96024 RA-96025; do
  section "4b. The same claim about $reg alone"
  flyvakt verify "$FRAMES" --fleets "$FLEETS" --claim "$reg har landa i Nord-Korea" \
    --at 2024-06-18T09:47:00+02:00 --lang nn --tz Europe/Oslo 2>&1
done

section "5. Claim at 20:00 Norwegian time (18:00 UTC): \"Putin har landa i Nord-Korea\""
flyvakt verify "$FRAMES" --fleets "$FLEETS" --claim "Putin har landa i Nord-Korea" \
  --at 2024-06-18T20:00:00+02:00 --lang nn --tz Europe/Oslo 2>&1

section "6. Claim: \"the fleet did not go through China's airspace\" (12:30-17:30 UTC)"
flyvakt verify "$FRAMES" --fleets "$FLEETS" --fleet ru-gov --lang nn \
  --claim "flyga unngjekk luftrommet til Kina mellom kl. 14.30 og 19.30 norsk tid 18. juni 2024" 2>&1

section "7. The report's own words: \"the last plane landed in Pyongyang around half past two, local time\""
flyvakt verify "$FRAMES" --fleets "$FLEETS" --lang nn --tz Europe/Oslo \
  --claim "det siste flyet i flåten til Putin landa i Pyongyang rundt halv tre lokal tid 19. juni 2024" 2>&1 | head -1

printf '\n==== %s\n' "$NOTE"
