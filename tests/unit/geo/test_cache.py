"""The binary airport cache: same table as airportsdata's CSV, rebuilt when stale or damaged."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from flyvakt.geo import airports as ap_mod
from flyvakt.geo.airports import Airports, load_airports
from flyvakt.geo.cache import (
    CACHE_ENV,
    TextColumn,
    cache_path,
    cached_columns,
    read_columns,
    write_columns,
)

TABLE_ATTRS = (
    "icao",
    "_iata",
    "_name",
    "_country",
    "_tz",
    "lat_deg",
    "lon_deg",
    "elevation_ft",
    "type_code",
    "runway_ft",
    "hard_surface",
    "_lid",
)


def assert_same_table(a: Airports, b: Airports) -> None:
    for name in TABLE_ATTRS:
        x, y = getattr(a, name), getattr(b, name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and np.array_equal(x, y), name
        else:  # a list, or a cache's TextColumn: item by item (decoded alone), then whole
            assert [y[i] for i in range(len(y))] == [x[i] for i in range(len(x))], name
            assert list(x) == list(y), name
    for k in range(3):  # by ICAO, IATA and local code
        assert a._code_table(k) == b._code_table(k), k
    for x, y in zip(a._xyz_cols, b._xyz_cols, strict=True):  # unit vectors: made or read back
        assert x.dtype == y.dtype and np.array_equal(x, y)


def test_cached_table_equals_the_csv_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import airportsdata

    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    direct = Airports(airportsdata.load("ICAO"), ap_mod._load_types())
    first = load_airports()  # builds and writes the cache
    files = list(tmp_path.glob("airports-*.cols"))
    assert len(files) == 1
    second = load_airports()  # reads it
    assert_same_table(direct, first)
    assert_same_table(direct, second)
    assert len(second) > 28_000
    ref = second.ref(second.index_of("ENGM") or 0)
    assert ref.icao == "ENGM" and ref.tz == "Europe/Oslo" and ref.country == "NO"
    assert second.near(60.19, 11.10, 5.0)[0][0] == direct.near(60.19, 11.10, 5.0)[0][0]


def test_damaged_cache_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    load_airports()
    (path,) = tmp_path.glob("airports-*.cols")
    good = path.read_bytes()
    path.write_bytes(good[: len(good) // 3])  # cut short, as by a full disk
    assert read_columns(path) is None
    again = load_airports()
    assert len(again) > 28_000
    assert path.read_bytes() == good  # replaced by a complete file


def test_fingerprint_change_builds_a_new_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    calls: list[int] = []

    def build() -> dict[str, object]:
        calls.append(1)
        return {"x": np.arange(3), "names": ["a", "b\u00e6", ""]}

    one = cached_columns("t", ["v1"], build)
    two = cached_columns("t", ["v1"], build)
    three = cached_columns("t", ["v2"], build)
    assert len(calls) == 2 and len(list(tmp_path.glob("t-*.cols"))) == 2
    assert two["names"] == ["a", "b\u00e6", ""] and np.array_equal(two["x"], one["x"])
    assert three["names"] == one["names"]


def test_cache_off_and_unwritable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, "off")
    assert cache_path("airports", ["x"]) is None
    assert len(load_airports()) > 28_000
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "sub"))  # cannot be created
    assert len(load_airports()) > 28_000


def test_files_an_upgrade_left_are_pruned_when_unused(tmp_path: Path) -> None:
    """A new fingerprint's file replaces the old ones once unused for STALE_AFTER_S; a file read
    recently (another install sharing the folder) and other tables' files are kept."""
    import os

    from flyvakt.geo.cache import STALE_AFTER_S, TMP_STALE_S, prune_stale

    now_s = 2_000_000_000.0
    old = tmp_path / "tbl-0123456789abcdef.cols"
    old_npz = tmp_path / "tbl-0123456789abcde0.npz"  # the format before session 18
    recent = tmp_path / "tbl-fedcba9876543210.cols"
    keep = tmp_path / "tbl-00000000000000aa.cols"
    other = tmp_path / "tbl-cells-0123456789abcdef.cols"  # another table whose name starts alike
    dead_tmp = tmp_path / "tbl-00000000000000aaxk3j.tmp"
    live_tmp = tmp_path / "tbl-00000000000000aaq9z1.tmp"
    for f in (old, old_npz, recent, keep, other, dead_tmp, live_tmp):
        f.write_bytes(b"x")
    os.utime(old, (now_s - STALE_AFTER_S - 60, now_s - STALE_AFTER_S - 60))
    os.utime(old_npz, (now_s - STALE_AFTER_S - 60, now_s - STALE_AFTER_S - 60))
    os.utime(other, (now_s - STALE_AFTER_S - 60, now_s - STALE_AFTER_S - 60))
    os.utime(keep, (now_s - STALE_AFTER_S - 60, now_s - STALE_AFTER_S - 60))
    os.utime(recent, (now_s - 86_400, now_s - 86_400))
    os.utime(dead_tmp, (now_s - TMP_STALE_S - 60, now_s - TMP_STALE_S - 60))
    os.utime(live_tmp, (now_s - 60, now_s - 60))
    removed = prune_stale(tmp_path, "tbl", keep=keep, now_s=now_s)
    assert sorted(removed) == sorted([old, old_npz, dead_tmp])
    assert {f.name for f in tmp_path.iterdir()} == {
        recent.name,
        keep.name,
        other.name,
        live_tmp.name,
    }


def test_a_read_marks_the_cache_used_and_a_write_prunes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from flyvakt.geo.cache import STALE_AFTER_S

    monkeypatch.setenv(CACHE_ENV, str(tmp_path))

    def build() -> dict[str, object]:
        return {"a": np.arange(3)}

    first = cache_path("tbl", ["v1"])
    assert first is not None
    cached_columns("tbl", ["v1"], build)
    long_ago = first.stat().st_mtime - STALE_AFTER_S - 60
    os.utime(first, (long_ago, long_ago))
    cached_columns("tbl", ["v1"], build)  # read: marked used, so not stale any more
    assert first.stat().st_mtime > long_ago + STALE_AFTER_S
    os.utime(first, (long_ago, long_ago))
    cached_columns("tbl", ["v2"], build)  # an upgrade writes a new file, the old one goes
    second = cache_path("tbl", ["v2"])
    assert second is not None and second.exists()
    assert not first.exists()


def _stored(tmp_path: Path) -> tuple[Path, bytes, dict[str, object]]:
    cols: dict[str, object] = {
        "i": np.arange(5_000, dtype=np.int64) * 7919,
        "f": np.linspace(-1.0, 1.0, 3_001),
        "m": np.arange(12, dtype=np.int16).reshape(3, 4),
        "b": np.array([True, False, True]),
        "e": np.zeros(0, np.float32),
        "s": np.array(42),
        "names": ["a", "b\u00e6", ""],
        "none": [],
    }
    path = tmp_path / "t.cols"
    assert write_columns(path, cols, ["v1"])
    return path, path.read_bytes(), cols


def test_columns_read_back_as_written(tmp_path: Path) -> None:
    path, _, cols = _stored(tmp_path)
    got = read_columns(path, ["v1"])
    assert got is not None and list(got) == list(cols)
    for key, want in cols.items():
        if isinstance(want, np.ndarray):
            assert got[key].dtype == want.dtype and got[key].shape == want.shape, key
            assert np.array_equal(got[key], want), key
            assert got[key].flags.writeable and got[key].flags.owndata, key  # copied out
        else:
            assert got[key] == want, key
    assert read_columns(path, ["v2"]) is None  # another data version's file
    bare = {"x": np.arange(3.0)}
    assert write_columns(path, bare)
    (x,) = (read_columns(path) or {}).values()
    assert np.array_equal(x, bare["x"]) and x.flags.writeable  # a view of the read buffer


def test_every_bit_error_up_to_three_bits_is_caught(tmp_path: Path) -> None:
    """One, two or three flipped bits anywhere (header, data, padding, digest), cuts and
    growth: never read back. Two flips of the same bit in two words (a plain sum of the words
    misses those) and three flips ~1 MB apart (beyond the distance CRC-32 guarantees)."""
    path, good, _ = _stored(tmp_path)
    n_bits = 8 * len(good)
    rng = np.random.default_rng(18)
    word = 8 * 8  # bits
    row = 8 * 4096
    cases: list[list[int]] = [[b] for b in range(0, n_bits, 997)]  # a single flip everywhere
    cases += [
        [int(b) for b in rng.choice(n_bits, k, replace=False)] for k in (2, 3) for _ in range(60)
    ]
    for b in rng.choice(n_bits - 3 * row, 40):
        b = int(b)
        cases += [[b, b + word], [b, b + row], [b, b + row + word], [b, b + word, b + row]]
    for bits in cases:
        data = bytearray(good)
        for b in bits:
            data[b // 8] ^= 1 << (b % 8)
        path.write_bytes(bytes(data))
        assert read_columns(path) is None, bits
    for cut in (len(good) - 1, len(good) - 32, len(good) // 2, 10, 0):
        path.write_bytes(good[:cut])
        assert read_columns(path) is None, cut
    path.write_bytes(good + b"\0" * 4096)
    assert read_columns(path) is None
    path.write_bytes(good)
    assert read_columns(path) is not None


def test_unstorable_columns_stay_uncached(tmp_path: Path) -> None:
    path = tmp_path / "t.cols"
    assert not write_columns(path, {"o": np.array([None, "a"], dtype=object)})
    assert not write_columns(path, {"n": ["a\x1fb"]})
    assert not path.exists()


def test_text_columns_read_lazily_as_read_whole(tmp_path: Path) -> None:
    texts = ["ENGM", "", "Zürich – Kloten", "東京", "x" * 300, "", "last"]
    path = tmp_path / "t.cols"
    assert write_columns(path, {"a": texts, "n": np.arange(3), "e": []}, ["k"])
    whole = read_columns(path, ["k"])
    lazy = read_columns(path, ["k"], lazy_text=True)
    assert whole is not None and lazy is not None
    col = lazy["a"]
    assert isinstance(col, TextColumn) and len(col) == len(texts)
    assert [col[i] for i in range(len(texts))] == texts == whole["a"]
    assert col[-1] == "last" and col[1:3] == texts[1:3] and list(col) == texts
    with pytest.raises(IndexError):
        col[len(texts)]
    assert len(lazy["e"]) == 0 and list(lazy["e"]) == []
    assert np.array_equal(lazy["n"], np.arange(3))
