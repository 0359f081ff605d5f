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
# ... but an airport is named for a surface fix only within this of its reference point (its
# runways and aprons, as LONE_FLAG_NM); farther out, the airports within GROUND_AIRPORT_NM are
# candidates. A CAL FIRE aircraft flying at -75 to 250 ft and 45-90 kt 3.0-4.9 NM from KVUO and
# 28WA (traffic calfire a3d1e2) had landings, takeoffs and stopovers named there: the 3 gap
# fires sampled in session 7 were all wrong (tests/data/real-ga/firing_sample.csv).
SURFACE_NM = 2.5
# Evidence envelope for naming an airport from an airborne fix (DESIGN.md §4): low (≤ 5,000 ft
# above field elevation) and close (≤ 10 NM). OPDI measured gated abstention at 99.4 % right vs
# 87.5 % for nearest-airport guessing.
LOW_AGL_FT = 5000.0
CLOSE_NM = 10.0
# An inferred landing at the end of data also needs a glide-path-like geometry: a 3° glide path
# descends ~320 ft per NM; 450 ft/NM + 1,000 ft allows for steeper approaches and circling.
GLIDE_FT_PER_NM = 450.0
GLIDE_BASE_FT = 1000.0
# An inferred takeoff at the start of data: only a fix just after lift-off qualifies: low, and
# near the runway. A light aircraft at 60-80 kt climbing 500-800 ft/min is 1,000-1,500 ft up
# within 2-2.5 NM of its runway (the KWVI data-start departures were first seen 0.0-0.4 NM out);
# further out, that low, it is flying a circuit or passing by (mry0601 a22920, first seen 4.9 NM
# from KWVI at 1,050 ft, got a takeoff there in session 5; was START_NM = 5.0).
START_AGL_FT = 1500.0
START_NM = 2.5
# ... and, beyond RUNWAY_NM, not closing on the field by more than position noise over the trend
# window (a8b7c7 first seen 4.7 NM from KWVI flying towards it got a takeoff there, session 5).
START_CLOSING_NM = 0.1

# No position for this long = signal lost. Receivers see an aircraft every second when in
# coverage; 2 minutes without one is a coverage gap, not jitter.
SIGNAL_LOST_S = 120.0
# Lost on an approach (within the glide envelope, descending towards a field): the landing is
# inferred only if the aircraft is not seen again within this long (or the data ends first).
# Aircraft that went around or passed by low were seen again within 2-13 minutes in the Monterey
# recording; one seen again is judged by the gap rules, with evidence from both sides.
LOST_LANDING_S = 20 * 60.0
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
# ... seen all the way: an interval longer than this between fixes after the lowest point can hide
# a touchdown (a touch-and-go's ground run is 10-20 s); low approach fixes are sampled every
# APPROACH_SAMPLE_S. Every go-around of mry0601 sampled by hand (5 of 31) had a 46 s to 3.4 h
# interval there, and three had landed (a39b20 at KSNS slowing from 102 to 89 kt at 50 ft).
GO_AROUND_BLIND_S = 20.0
# ... with the lowest point near the field: within this of its reference point or a runway end
# (a missed approach starts at the decision height, 0.6 NM before the threshold on a 3-degree
# path, or at a non-precision missed-approach point, at most ~2 NM out). The 3 go-arounds the
# session-7 sample found were all fire-fighting orbits and drop runs 1.4-5.4 NM out (calfire).
GO_AROUND_NM = 2.0
# ... descending into it like an approach: the altitude falls over the last fixes before the
# lowest point (at least GO_AROUND_DESCENT_S apart), by no more than this rate (a steep 6-degree
# approach at 160 kt is ~1,700 ft/min; the calfire drop run onto 1CA6 dived at 8,320 ft/min)...
GO_AROUND_MAX_DESCENT_FPM = 2500.0
GO_AROUND_DESCENT_S = 10.0
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

# -- Evidence model (phase.py, evidence.py) ------------------------------------------------------
# Fixes within this distance of an airport, and low or without altitude, go to the phase rule
# one by one: a runway and its circuit lie within 3 NM of the reference point at all but the
# largest airports; 5 NM covers a final approach from 1,500 ft.
FIELD_NM = 5.0
# Barometric altitude is pressure altitude (1013.25 hPa): against a field's published elevation
# it is off by ~27 ft per hPa of QNH difference; 980-1035 hPa (nearly all weather) is about
# ±600 ft. A raw pressure altitude only proves what holds across this whole band.
QNH_TOL_FT = 600.0
# Fixes this far above a field (plus QNH_TOL_FT when the height is only known from raw pressure
# altitude) go to the phase rule: a circuit is flown at 1,000 ft, a final approach starts
# from about 2,000 ft.
FIELD_LOW_FT = 2000.0
# GNSS altitude is height above the ellipsoid in most feeds; the geoid lies within ±106 m
# (±350 ft) of it worldwide, so a GNSS height above a field is known to within that.
GNSS_TOL_FT = 350.0
# Height above the ground reference that proves flight: pressure altitudes come in 25 ft steps
# and wander by ±50 ft on the ground with temperature and taxiing; 250 ft is a climb-out.
AIR_HEIGHT_FT = 250.0
# Without a believable vertical rate, an altitude change this large over the trend window
# (TREND_S to 4 x TREND_S) is flight: on the surface pressure altitude wanders by +-50 ft, and
# 100-ft (Gillham) encoders flip between two neighbouring steps; 200 ft is two such steps.
AIR_TREND_FT = 200.0
# Touchdown without ground flags or a ground reference (evidence.py, the "floor" of a descent):
# within this of the airport reference point the aircraft is over a runway (half of a 9,000 ft
# runway plus its offset from the reference point)...
RUNWAY_NM = 1.5
# A ground flag with neither altitude nor speed counts only this close to a field's reference
# point (its runways and aprons, with margin for large airports' remote stands); farther out it is
# a lone bit nothing physical backs (a81c98 at 3.0 NM from KWVI, held-out failure of session 4).
LONE_FLAG_NM = 2.5
# ... level at its lowest pressure altitude for at least this long: a flare lasts a few seconds
# and slow descents hold one altitude step for 6-7 s (seen at KWVI and KMRY); the ground rolls of
# the KWVI touch-and-goes last 12-20 s...
FLOOR_RUN_S = 10.0
# ... and for more than this many times the time its descent took per altitude step: a slow
# aircraft with a 100-ft encoder descending at 250 ft/min reads level for 24 s per step, and one
# at 585 ft/min held 500 ft for 16 s on a KWVI downwind (a9d63a).
FLOOR_STEPS = 2.0
# ... and slowed to this share of its speed over the last ROLLOUT_S (wheels and idle power: the
# touch-and-goes at KWVI and KSNS lose 15-30 % within seconds; a low pass keeps or gains speed,
# a descending downwind turn loses about 10 %).
FLOOR_SLOW_RATIO = 0.85
# The floor rule is for light aircraft, which often send no ground flag: faster than this on the
# runway, transport aircraft report air/ground from a squat switch, and an airliner's flare
# (level for 10 s at 124 kt, LSZH in noisy_time_issue) is no touchdown.
FLOOR_MAX_GS_KT = 100.0
# ... and, where the field's runways are known, the level run moves along one of them (within
# this angle of its direction) and ends this close to its centre line: a rollout is on the
# runway (ADS-B positions are good to ~0.05 NM; the KWVI, KSNS and KMRY floors of the labelled
# cuts lie within 0.15 NM and 20 degrees). A groundspeed drop in a turn is the wind, not
# braking: mry0601 a38df3 "slowed" from 94 to 65 kt turning from downwind onto base at 500 ft,
# 0.8 NM from KWVI, and got an observed touch-and-go there (held-out round 6).
FLOOR_ALIGN_DEG = 25.0
FLOOR_OFFSET_NM = 0.15
# ... and ends over the runway itself, at most this far beyond either end of it (ADS-B position
# error ~0.05 NM plus a couple of seconds' latency at 60 kt): the 15 floors of the labelled cuts
# that are touchdowns all end between the ends. kwvi1213 ab8e45 held 375-350 ft for 11 s on short
# final, slowing from 79 to 67 kt, 0.57 NM short of runway 20's threshold on its extended centre
# line, then went on down to 250 ft: an observed touch-and-go there (held-out round 7).
FLOOR_PAST_END_NM = 0.1
# Within this of the ground reference a fix is "at ground level" (two 25 ft steps).
FLOOR_BAND_FT = 50.0
# A vertical rate this large (either sign) is flight: on a runway the reported rate stays within
# ±300 ft/min (baro noise in 64 ft/min steps, seen on the KWVI recordings), a light aircraft
# climbs at 500-700 ft/min.
AIR_VR_FPM = 450.0
# Nothing rolls on a runway faster than this (Concorde rotated near 200 kt).
ROLL_MAX_KT = 220.0
# Slower than this, near a field and near its elevation, an aircraft is taxiing or rolling out:
# light aircraft stall near 45 kt; the slow ones seen flying at 36-40 kt groundspeed (headwind)
# were thousands of feet up, which the height condition excludes.
TAXI_MAX_KT = 40.0
# An altitude this far above the field at taxi speed over the ground is corrupt: a light aircraft
# at 10,000 ft flies ~110 kt true, so even a 60 kt headwind leaves it above TAXI_MAX_KT (the
# slow flyers of the KWVI/K1C9 data were at 1,000-4,000 ft, below this).
SLOW_HIGH_FT = 10_000.0
# ... with the speed from positions up to this far apart (s): 10 s polls skip fixes, and a taxi
# at 40 kt covers 1.3 NM in 2 min, a climb-out at 100 kt 3.3 NM.
SLOW_HIGH_S = 120.0
# Without a learned ground reference, "at the field's level" for a slow fix means a raw pressure
# altitude within this of the published elevation: QNH 1000-1026 hPa, most days. Beyond it the
# slow-fix rule waits for a flag or a reference: a UAV flew at 25 kt 575 ft above EGMD.
SLOW_RAW_BAND_FT = 350.0
# Without a reported groundspeed it is taken from two fixes this far apart (s): closer fixes
# turn position noise (~10 m) into speed; farther ones average over turns.
IMPLIED_GS_S = (3.0, 30.0)
# A reported groundspeed more than this many times the speed the positions show (over at least
# VR_CHECK_S, and by more than TAXI_MAX_KT) is a held-over value, if it is held: the same as the
# fix before (resampled vectors repeat it: 102 kt with the same track and rate for 90 s,
# noisy_time_issue at LSZH). A reported speed that changes is measured: stratux2015 2ac106's
# positions moved 0.2 NM in 26 s while it reported 93 then 84 kt descending on final 230 ft
# above KRDG by raw pressure altitude; read as taxiing, it got an observed takeoff there.
STALE_GS_RATIO = 2.0
# A ground flag with no altitude is checked against the aircraft's last altitude this recent:
# a flag flapping to "ground" at 3,800 ft (seen at K1C9) sits between airborne fixes 2 s apart.
ALT_CARRY_S = 30.0
# On the surface the reported vertical rate stays within this (baro noise, seen on KWVI and
# OpenSky recordings); a slow fix with a larger rate is a slow aircraft descending (a UAV on
# approach at 34 kt and -384 ft/min, border_control), not one taxiing.
GROUND_VR_MAX_FPM = 300.0
# A reported vertical rate is checked against the altitudes at least this far apart: resampled
# state vectors hold the last rate (-832 ft/min for 20 s after touchdown, airbus_tree).
VR_CHECK_S = 8.0
# Pressure altitudes come in 25 ft steps.
ALT_STEP_FT = 25.0
# Rollout: at the field's level and slower than its speed over the last ROLLOUT_S divided by
# this, an aircraft is braking on the runway: approach speeds are 1.3 x stall speed, a rollout
# ends far below it; a go-around or low pass keeps its speed.
ROLLOUT_GS_RATIO = 1.6
ROLLOUT_S = 60.0
# An altitude that differs from the aircraft's last plausible one by more than this rate (plus
# ALT_JUMP_BASE_FT for 25 ft steps and Gillham errors) is a stale or corrupt value, not a climb:
# the noisy_takeoff recording holds 36,150 ft for minutes on the LSZH taxiway. Even fighters
# rarely sustain 12,000 ft/min.
ALT_JUMP_FPM = 12000.0
ALT_JUMP_BASE_FT = 300.0
# Evidence votes (positive = surface, negative = air): strong = physics (height, vertical rate,
# taxi speed) or an uncontradicted ground flag; weak = an "airborne" flag alone (many light
# aircraft have no squat switch and never send "ground"). A flip is confirmed when the votes
# since it began add up to this, so flapping flags (G G G G A G A G G G) still confirm, while a
# single fix never does (it gives at most 2).
FLIP_CONFIRM_VOTES = 4
# ... or, for an "airborne" flip made of weak votes only, when they have held DEBOUNCE_S.
# A pending flip is dropped when the opposite evidence adds up to this (two strong votes).
FLIP_CANCEL_VOTES = 4
# Fixes kept per aircraft for the altitude trend and distance trend (bounded memory): one per
# RECENT_STEP_S at most, so that the ring spans more than 4 x TREND_S at 1 Hz.
RECENT_FIXES = 48
RECENT_STEP_S = 2.0
# ... and none older than this before the aircraft's newest fix (or before a pending flip's
# first fix and the fix before it, which the flip's touchdown/lift-off timing reads): bounded
# memory on data time, full as soon as an aircraft has been heard this long. Why 120 s: the
# longest look back of any reader of the ring is 4 x TREND_S = 80 s (ROLLOUT_S 60 s, 4 x
# VR_CHECK_S 32 s, ALT_CARRY_S and IMPLIED_GS_S 30 s); 40 s more is margin, so no reader ever
# misses a fix it would have seen in the count-only ring.
RECENT_KEEP_S = 120.0
# The trend is measured over at least this long: 25 ft altitude steps need ~20 s at 300 ft/min.
TREND_S = 20.0
# A trend in altitude this large is a climb or a descent (four 25 ft steps).
TREND_ALT_FT = 100.0
# A ground reference learned from surface fixes at a field holds this long: QNH changes by about
# 1 hPa (27 ft) per hour in ordinary weather.
GROUND_REF_S = 3 * 3600.0
# An aircraft's references at a field are kept one per this long (and the newest within it): QNH
# moves ~1 hPa (27 ft) per hour, so one a minute loses nothing and bounds the list.
GROUND_REF_STEP_S = 60.0
# Where a touchdown or lift-off time must be estimated inside an interval and neither a vertical
# rate nor a trend is known: a typical light-aircraft descent on final / initial climb rate.
NOMINAL_RATE_FPM = 600.0
# A touchdown or lift-off between two fixes more than this apart is estimated inside the
# interval (from the height and vertical rate before it) instead of stamped at its end.
STAMP_GAP_S = 10.0

# -- Gaps (coverage.py, phase.py) ----------------------------------------------------------------
# Across a gap longer than this, an airport is named only when the evidence on both sides points
# to it (docs/detection.md): in 5 minutes a light aircraft flies 8-10 NM, an airliner 35 NM,
# past several airports.
GAP_NAME_S = 300.0
# "Points to the airport" before a gap: on its surface, or on final: at most this high above it...
FINAL_HEIGHT_FT = 1500.0
# ... this close ...
FINAL_NM = 5.0
# ... and descending (by vertical rate or by the altitude trend) and getting closer.
FINAL_MIN_DESCENT_FPM = -200.0
# On an approach path (one-sided inference at signal loss or end of data) the time to lose the
# height at the current descent rate and the time to fly to the field at the current speed agree
# within this factor (glide paths of ~1.5-6 degrees); a cruise descent passing 7 NM from a field
# at 4,350 ft and 223 kt would reach the ground far beyond it.
GLIDE_TIME_RATIO = 2.0
# "Towards the field": over the trend window the distance to it shrank by at least this share
# of the distance flown (45 degrees off; runways lie up to ~1 NM off the reference point).
HEADING_TO_MIN = 0.7
# One-sided inference (signal lost without regain, end of data) names the airport only on short
# final, every piece of evidence present: within SHORT_FINAL_NM of it (a 3-degree glide path
# from 1,000 ft starts 3.1 NM out; farther out an aircraft may still turn to another field, or
# be flying a circuit, a survey or a drop run: 6 of 6 sampled fires 3.4-8+ NM out named an
# airport nobody landed at, tests/data/real-ga/firing_sample.csv)...
SHORT_FINAL_NM = 3.0
# ... at most this high above the field's ground reference (GNSS altitude or the learned ground
# reading; never raw pressure altitude against the published elevation, which is off by up to
# QNH_TOL_FT): the height of a 3-degree path at SHORT_FINAL_NM, and pattern height...
SHORT_FINAL_FT = 1000.0
# ... and, where the airport's runways are known (data/geo/runways.tsv.gz), lined up with one:
# a final is flown along the centre line (offset approaches are within ~3 degrees), so within
# this angle of its direction and this far from its extended centre line (0.6 NM is 11 degrees
# off at SHORT_FINAL_NM; a base leg crosses the line at 90 degrees).
RUNWAY_ALIGN_DEG = 30.0
RUNWAY_OFFSET_NM = 0.6
# Above this height level flight is pattern or cruise, not an approach (circuit height 1,000 ft).
PATTERN_HEIGHT_FT = 1000.0
# After a gap: on its surface, or in initial climb: at most INITIAL_CLIMB_FT above it and within
# FINAL_NM, not descending towards it.
INITIAL_CLIMB_FT = 1500.0
# ... and, at the field's own level (where it may still be rolling), a reported climb of at
# least this (the mirror of FINAL_MIN_DESCENT_FPM: beyond a level fix's noise).
CLIMB_SEEN_FPM = 200.0
# Lift-off seen just after an interval (phase.py): the first fix after at least LIFT_GAP_MIN_S
# without fixes lies over a runway at the field's level (a circuit from downwind to touchdown and
# lift-off takes over a minute: KWVI touch-and-goes hidden in 101-146 s intervals)...
LIFT_GAP_MIN_S = 60.0
# Shorter intervals hide a touch-and-go's ground run too (a81c98 at KWVI: 38 s between 275 ft on
# final and two fixes at its ground reading over the runway): from SHORT_LIFT_GAP_S on, a lift-off
# is looked for after the interval when two fixes sit at the learned ground reading itself (not
# just LIFT_MAX_HEIGHT_FT above it), and a touch-and-go when the fixes before the interval end in
# a slowing run at the field's level and the first fix after it is AIR_TREND_FT higher (a8b7c7:
# 46 s and 61 s). Below 30 s the fixes on both sides see the ground run itself.
SHORT_LIFT_GAP_S = 30.0
# ... up to this long for the run-before-the-interval rule: a touch-and-go's roll and climb back
# to 500 ft take 40-70 s; a longer interval may hide a full stop or a circuit.
SHORT_TNG_MAX_S = 90.0
# ... at most this high above the learned ground reference (a light aircraft 5 s after lift-off
# at 500-700 ft/min; a9d63a read 100 ft above its ground reading over mid-field at 60 kt; the
# go-around of a68847 inside a KWVI gap was first seen 125 ft above it)...
LIFT_MAX_HEIGHT_FT = 100.0
# ... and, unless it was flagged on the surface, flying at most this share of its speed before
# the interval: after lift-off a light aircraft climbs near rotation speed, far below its
# downwind speed (KWVI: 0.68-0.86), while a go-around keeps its approach speed (a68847: 1.13).
# An unknown speed on either side is no evidence.
LIFT_SLOW_RATIO = 0.9
# ... and within this long the aircraft climbs TREND_ALT_FT above it (or reports AIR_VR_FPM) at
# flying speed: the KWVI lift-offs climbed 100 ft within 6-20 s.
LIFT_CONFIRM_S = 30.0
