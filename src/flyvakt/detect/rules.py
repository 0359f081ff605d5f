"""Tuning constants of event detection, each with the reason for its value."""

from __future__ import annotations

# A ground/air state must hold this long before a takeoff or landing is declared: ADS-B ground
# bits and state-vector "onground" flags flap for a few seconds on the runway (seen in the
# noisy_* OpenSky samples), and a real takeoff or landing is never undone within 20 s.
DEBOUNCE_S = 20.0
# ... and over at least this many fixes, so that one late fix cannot confirm a flip alone.
DEBOUNCE_FIXES = 3

# A takeoff needs flying speed: the slowest airliners rotate near 110 kt and light aircraft near
# 55 kt; an "airborne" flag at taxi speed (< 50 kt) is a flapping bit.
TAKEOFF_MIN_GS_KT = 50.0
# Without a groundspeed, the positions must show movement: 20 s at 50 kt is 0.28 NM.
TAKEOFF_MIN_MOVE_NM = 0.25

# Naming an airport for an observed ground transition: the aircraft is on the runway or a taxiway,
# so the airport reference point is within a few NM (the largest airports span ~3 NM).
GROUND_AIRPORT_NM = 5.0
# Evidence envelope for naming an airport from an airborne fix (DESIGN.md §4): low (≤ 5,000 ft
# above field elevation) and close (≤ 10 NM). OPDI measured gated abstention at 99.4 % right vs
# 87.5 % for nearest-airport guessing.
LOW_AGL_FT = 5000.0
CLOSE_NM = 10.0
# An inferred landing at the end of data also needs a glide-path-like geometry: a 3° glide path
# descends ~320 ft per NM; 450 ft/NM + 1,000 ft allows for steeper approaches and circling.
GLIDE_FT_PER_NM = 450.0
GLIDE_BASE_FT = 1000.0
# An inferred takeoff at the start of data: only a fix just after lift-off qualifies.
START_AGL_FT = 1500.0
START_NM = 5.0
# No airport lies higher than this (Daocheng Yading, 14,472 ft): a first fix above it plus
# START_AGL_FT cannot be just after lift-off, so no airport search is needed.
HIGHEST_AIRPORT_FT = 14500.0

# No position for this long = signal lost. Receivers see an aircraft every second when in
# coverage; 2 minutes without one is a coverage gap, not jitter.
SIGNAL_LOST_S = 120.0
# Signal-lost checks run at most this often (in data time): a sweep over all aircraft per
# 100-ms batch would dominate the fast path.
LOST_SWEEP_EVERY_S = 10.0

# Country sampling: the country is looked up at most once per aircraft per this many seconds;
# a change between two samples is then located exactly on the fixes in between.
COUNTRY_SAMPLE_S = 20.0
# A new country must be seen this long before its entry is reported (the reported time is still
# that of the first fix inside it): patrols along a 12 NM line would otherwise flap.
COUNTRY_DWELL_S = 60.0

# Go-around: descending to within 1,500 ft of field elevation near an airport, then climbing
# 800 ft above the lowest point with no ground contact.
GO_AROUND_MAX_AGL_FT = 1500.0
GO_AROUND_CLIMB_FT = 800.0
# Rows above this altitude are never go-around or approach candidates (field elevations reach
# ~14,000 ft, but this project's approach logic targets ordinary airports; 8,000 ft covers the
# approaches of all but a few high-altitude fields).
APPROACH_MAX_ALT_FT = 8000.0
# An approach begins with a clear descent (-300 ft/min is below level-flight noise).
APPROACH_MIN_DESCENT_FPM = -300.0
# Approach fixes are examined at most every 5 s (a descent of 1,000 ft/min moves 83 ft in 5 s,
# far below the go-around thresholds), and the airport search repeats at most every 20 s.
APPROACH_SAMPLE_S = 5.0
APPROACH_RECHECK_S = 20.0
# A takeoff within this long after a landing at the same airport is a touch-and-go.
TOUCH_AND_GO_S = 120.0

# Emergency codes (ICAO): 7500 unlawful interference, 7600 radio failure, 7700 emergency. A code
# must be held this long: a pilot dialling through 7x00 on the way to another code is not one.
EMERGENCY_SQUAWKS = frozenset({7500, 7600, 7700})
EMERGENCY_HOLD_S = 10.0

# Spoofing: over a sample interval, the distance flown according to the positions and according
# to the aircraft's own groundspeed must agree within these ratios (frozen positions: ratio→0;
# displaced/jumping positions: ratio ≫ 1). Only checked when fast enough to matter.
SPOOF_MIN_GS_KT = 150.0
SPOOF_MIN_DT_S = 30.0
SPOOF_RATIO_LOW = 0.3
SPOOF_RATIO_HIGH = 3.0
# ... in this many consecutive intervals: an aircraft in a tight orbit (a patrol drone, a
# holding pattern) covers little ground in one interval, never in two.
SPOOF_INTERVALS = 2
