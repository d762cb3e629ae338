"""`trygg hotspots` reads a file with polars' lazy scanner (issue 21) and gives exactly what the whole-file readers
give; anything unusual in the file goes to those readers, which name the line."""

from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command

from trygg.reports import geo


def _points(rows: int = 400, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    lat = np.concatenate([rng.normal(56.8334, 0.01, rows), rng.normal(56.84, 0.0008, rows // 4)])
    lon = np.concatenate([rng.normal(13.9408, 0.02, rows), rng.normal(13.95, 0.0008, rows // 4)])
    return lat, lon


def _csv(lat: np.ndarray, lon: np.ndarray, *, header: str = "id,lat,lon") -> str:
    return (
        header
        + "\n"
        + "".join(f"{i},{float(a)!r},{float(b)!r}\n" for i, (a, b) in enumerate(zip(lat, lon, strict=True)))
    )


def test_a_file_read_by_the_scanner_gives_what_the_whole_file_readers_give(tmp_path: Path) -> None:
    text = _csv(*_points())
    path = tmp_path / "points.csv"
    path.write_text(text, encoding="utf-8")

    assert geo._scan_file(path) is not None  # the scanner took it
    for all_cells in (False, True):
        from_file = geo.hotspots_from_csv(path, cell=250, all_cells=all_cells)
        from_bytes = geo.hotspots_from_csv(text.encode(), cell=250, all_cells=all_cells)
        assert from_file == from_bytes
        assert from_file["points"] == 500


@pytest.mark.parametrize(
    "variant",
    [
        lambda text: "\ufeff" + text,  # a byte-order mark
        lambda text: text.replace("\n", "\n\n", 3),  # blank lines
        lambda text: text.replace("\n", "\r\n"),  # Windows line ends
        lambda text: text.replace("id,lat,lon", "id, LAT ,lon"),  # a header as people write it
    ],
)
def test_unusual_files_give_the_same_answer_from_a_path_as_from_their_bytes(tmp_path: Path, variant) -> None:
    text = variant(_csv(*_points(120)))
    path = tmp_path / "points.csv"
    path.write_text(text, encoding="utf-8", newline="")

    assert geo.hotspots_from_csv(path) == geo.hotspots_from_csv(text.encode())


def test_a_bad_value_in_a_file_is_named_by_line_as_before(tmp_path: Path) -> None:
    text = _csv(*_points(50)) + "999,91.5,13.9\n"
    path = tmp_path / "points.csv"
    path.write_text(text, encoding="utf-8")

    assert geo._scan_file(path) is None
    with pytest.raises(geo.HotspotInputError) as raised:
        geo.hotspots_from_csv(path)
    assert "line 64" in str(raised.value)


@pytest.mark.django_db
def test_the_hotspots_and_survey_indices_commands_touch_no_database(
    tmp_path: Path, capsys, django_assert_num_queries
) -> None:
    points = tmp_path / "points.csv"
    points.write_text(_csv(*_points(60)), encoding="utf-8")
    answers = tmp_path / "svar.csv"
    answers.write_text(
        "respondent,area,p_klotter\n" + "".join(f"{i},Centrum,{1 + i % 4}\n" for i in range(12)),
        encoding="utf-8",
    )

    with django_assert_num_queries(0):
        call_command("hotspots", str(points))
        call_command("survey_indices", str(answers), "--no-progress")

    assert '"points": 75' in capsys.readouterr().out


def test_projecting_in_slices_on_several_threads_gives_exactly_what_pyproj_gives_in_one_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pyproj

    lat, lon = _points(rows=2000)
    lat[17], lon[17] = 0.0, -75.0  # 90° from the central meridian: PROJ gives inf, in its own place
    monkeypatch.setattr(geo, "PARALLEL_MIN_POINTS", 100)
    monkeypatch.setattr(geo, "_workers", lambda: 3)
    reference = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)

    x, y = geo.project(lat, lon)
    expected_x, expected_y = reference.transform(lon, lat)

    assert np.array_equal(x, expected_x) and np.array_equal(y, expected_y)
    assert not np.isfinite(x[17])
    back_lat, back_lon = geo.unproject(x[:16], y[:16])
    expected_lon, expected_lat = pyproj.Transformer.from_crs(
        "EPSG:3006", "EPSG:4326", always_xy=True
    ).transform(x[:16], y[:16])
    assert np.array_equal(back_lat, expected_lat) and np.array_equal(back_lon, expected_lon)


def test_hotspots_from_a_file_agree_with_an_independent_pyproj_and_bincount_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyproj

    lat, lon = _points(rows=3000, seed=11)
    path = tmp_path / "points.csv"
    path.write_text(_csv(lat, lon), encoding="utf-8")
    monkeypatch.setattr(geo, "PARALLEL_MIN_POINTS", 500)

    result = geo.hotspots_from_csv(path, cell=250, all_cells=True)

    x, y = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True).transform(lon, lat)
    cells: dict[tuple[int, int], int] = {}
    for key in zip(
        (np.floor(x / 250) * 250).astype(int).tolist(),
        (np.floor(y / 250) * 250).astype(int).tolist(),
        strict=True,
    ):
        cells[key] = cells.get(key, 0) + 1
    assert {(row["x"], row["y"]): row["count"] for row in result["hot"]} == cells
    assert result["points"] == len(lat)
