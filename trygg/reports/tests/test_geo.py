"""Tests for trygg.reports.geo: CSV reading, projection, snapping and Getis–Ord Gi*.

The Gi* cases are computed by hand in the comments next to them, straight from the
formula in the contract:

    S  = sqrt(Σx²/n − x̄²)
    zᵢ = (Σⱼ wᵢⱼ xⱼ − x̄ Wᵢ) / (S · sqrt((n Wᵢ − Wᵢ²)/(n − 1)))
"""

from __future__ import annotations

import io
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from trygg.reports import geo

# A cell-aligned corner near Ljungby in SWEREF 99 TM (both are multiples of 250 m).
X0 = 435_000
Y0 = 6_299_000
CELL = 250


def centre_points(counts: dict[tuple[int, int], int], cell: int = CELL) -> tuple[np.ndarray, np.ndarray]:
    """Projected points at cell centres: ``counts[(i, j)]`` points in cell i east, j north of X0, Y0."""
    xs: list[float] = []
    ys: list[float] = []
    for (i, j), k in counts.items():
        xs += [X0 + i * cell + cell / 2] * k
        ys += [Y0 + j * cell + cell / 2] * k
    return np.array(xs), np.array(ys)


def csv_of(counts: dict[tuple[int, int], int]) -> bytes:
    x, y = centre_points(counts)
    lat, lon = geo.unproject(x, y)
    lines = ["id,lat,lon"] + [
        f"{n},{a!r},{o!r}" for n, (a, o) in enumerate(zip(lat.tolist(), lon.tolist(), strict=True))
    ]
    return ("\n".join(lines) + "\n").encode()


def reference_gi_star(grid: np.ndarray) -> list[list[float | None]]:
    """The formula, cell by cell, in plain Python (exact arithmetic decides the nulls)."""
    width, height = grid.shape
    n = width * height
    values = [int(v) for v in grid.ravel()]
    mean = Fraction(sum(values), n)
    s2 = Fraction(sum(v * v for v in values), n) - mean * mean
    out: list[list[float | None]] = []
    for i in range(width):
        row: list[float | None] = []
        for j in range(height):
            near = [
                (a, b)
                for a in range(i - 1, i + 2)
                for b in range(j - 1, j + 2)
                if 0 <= a < width and 0 <= b < height
            ]
            w = len(near)
            local = sum(int(grid[a, b]) for a, b in near)
            if s2 == 0 or n * w - w * w == 0:
                row.append(None)
                continue
            s = math.sqrt(s2)
            row.append(float(local - mean * w) / (s * math.sqrt((n * w - w * w) / (n - 1))))
        out.append(row)
    return out


# ------------------------------------------------------------------ Gi* by hand


def test_gi_star_block_of_four_in_a_4x4_grid():
    # Four cells of 4 in the lower-left corner, twelve empty cells.
    grid = np.zeros((4, 4), dtype=int)
    grid[0:2, 0:2] = 4
    # n = 16, Σx = 16, x̄ = 1, Σx² = 64, S² = 64/16 − 1 = 3.
    z = geo.gi_star(grid)
    # Corner (0,0): W = 4, Σwx = 16: z = (16 − 4)/(√3·√((64 − 16)/15)) = 12/√9.6 = √15.
    assert z[0, 0] == pytest.approx(math.sqrt(15))
    # Edge (1,0): W = 6, Σwx = 16: z = 10/(√3·√((96 − 36)/15)) = 10/(√3·2) = 5/√3.
    assert z[1, 0] == pytest.approx(5 / math.sqrt(3))
    assert z[0, 1] == z[1, 0]
    # Inner (1,1): W = 9, Σwx = 16: z = 7/(√3·√((144 − 81)/15)) = 7/√12.6 ≈ 1.972.
    assert z[1, 1] == pytest.approx(7 / math.sqrt(12.6))
    # Inner (2,2): W = 9, Σwx = 4 (only (1,1)): z = −5/√12.6.
    assert z[2, 2] == pytest.approx(-5 / math.sqrt(12.6))
    # Edge (2,0): W = 6, Σwx = 8: z = 2/(2√3) = 1/√3.
    assert z[2, 0] == pytest.approx(1 / math.sqrt(3))
    # Far corner (3,3): W = 4, Σwx = 0: z = −4/√9.6.
    assert z[3, 3] == pytest.approx(-4 / math.sqrt(9.6))


def test_gi_star_centre_of_a_3x3_grid_has_no_z_because_its_weights_cover_everything():
    grid = np.zeros((3, 3), dtype=int)
    grid[1, 1] = 9
    # n = 9, x̄ = 1, Σx² = 81, S² = 9 − 1 = 8, S = 2√2.
    z = geo.gi_star(grid)
    # Centre: W = 9 = n, so n·W − W² = 0 and the denominator is 0: null.
    assert math.isnan(z[1, 1])
    # Corner: W = 4, Σwx = 9: z = 5/(2√2·√((36 − 16)/8)) = 5/(2√2·√2.5) = 5/(2√5) = √5/2.
    assert z[0, 0] == pytest.approx(math.sqrt(5) / 2)
    # Edge: W = 6, Σwx = 9: z = 3/(2√2·√((54 − 36)/8)) = 3/(2√2·1.5) = 1/√2.
    assert z[0, 1] == pytest.approx(1 / math.sqrt(2))


def test_gi_star_2x2_grid_is_all_null_although_s_is_positive():
    # Every cell's neighbourhood is the whole study area: W = n = 4.
    z = geo.gi_star(np.array([[3, 0], [0, 1]]))
    assert np.isnan(z).all()


def test_gi_star_with_equal_counts_has_s_zero_and_no_z():
    # Σx²/n = 9 and x̄² = 9, so S = 0.
    assert np.isnan(geo.gi_star(np.full((5, 4), 3))).all()


def test_gi_star_single_cell_is_null():
    assert np.isnan(geo.gi_star(np.array([[7]]))).all()


def test_gi_star_single_row_uses_neighbours_along_the_row():
    # 1×4 study area, counts 2 0 0 0: n = 4, x̄ = 0.5, Σx² = 4, S² = 1 − 0.25 = 0.75.
    z = geo.gi_star(np.array([[2, 0, 0, 0]]))
    # First cell: W = 2, Σwx = 2: z = (2 − 1)/(√0.75·√((8 − 4)/3)) = 1/√1 = 1.
    assert z[0, 0] == pytest.approx(1.0)
    # Third cell: W = 3, Σwx = 0: z = −1.5/(√0.75·√((12 − 9)/3)) = −1.5/√0.75 = −√3.
    assert z[0, 2] == pytest.approx(-math.sqrt(3))


def test_gi_star_refuses_bad_grids():
    with pytest.raises(ValueError):
        geo.gi_star(np.array([1, 2, 3]))
    with pytest.raises(ValueError):
        geo.gi_star(np.array([[1.5, 2.0]]))
    with pytest.raises(ValueError):
        geo.gi_star(np.array([[1, -2]]))


# ------------------------------------------------------------ whole contract


def test_hotspots_from_csv_end_to_end_with_hand_computed_z():
    # Study area 4×4 (set by the points in (0,0) and (3,3)).
    counts = {(0, 0): 4, (1, 0): 4, (0, 1): 4, (1, 1): 3, (3, 3): 1}
    # n = 16, Σx = 16, x̄ = 1, Σx² = 3·16 + 9 + 1 = 58, S² = 58/16 − 1 = 2.625.
    # (0,0): W = 4, Σwx = 15: z = 11/√(2.625·48/15) = 11/√8.4.
    # (1,0) and (0,1): W = 6, Σwx = 15: z = 9/√(2.625·60/15) = 9/√10.5.
    # (1,1): W = 9, Σwx = 15: z = 6/√(2.625·63/15) = 6/√11.025 ≈ 1.807, not hot.
    # (3,3): W = 4, Σwx = 1: z = −3/√8.4.
    result = geo.hotspots_from_csv(csv_of(counts))
    assert result["cell"] == 250
    assert result["crs"] == "EPSG:3006"
    assert result["cells"] == 16
    assert result["points"] == 16
    z_corner = 11 / math.sqrt(8.4)
    z_edge = 9 / math.sqrt(10.5)
    assert [(r["x"], r["y"], r["count"]) for r in result["hot"]] == [
        (X0, Y0, 4),
        (X0, Y0 + 250, 4),  # tie with the next row: same z, smaller x first
        (X0 + 250, Y0, 4),
    ]
    assert [r["z"] for r in result["hot"]] == pytest.approx([z_corner, z_edge, z_edge])
    assert result["hot"][1]["z"] == result["hot"][2]["z"]
    for row in result["hot"]:
        assert row["p"] == pytest.approx(math.erfc(row["z"] / math.sqrt(2)))
    assert set(result) == {"cell", "crs", "cells", "points", "hot"}
    assert set(result["hot"][0]) == {"x", "y", "count", "z", "p"}
    assert isinstance(result["hot"][0]["x"], int)
    assert isinstance(result["hot"][0]["count"], int)


def test_all_lists_every_non_empty_cell_in_z_order():
    counts = {(0, 0): 4, (1, 0): 4, (0, 1): 4, (1, 1): 3, (3, 3): 1}
    result = geo.hotspots_from_csv(csv_of(counts), all_cells=True)
    assert [(r["x"] - X0, r["y"] - Y0, r["count"]) for r in result["hot"]] == [
        (0, 0, 4),
        (0, 250, 4),
        (250, 0, 4),
        (250, 250, 3),
        (750, 750, 1),
    ]
    assert [r["z"] for r in result["hot"]] == pytest.approx(
        [
            11 / math.sqrt(8.4),
            9 / math.sqrt(10.5),
            9 / math.sqrt(10.5),
            6 / math.sqrt(11.025),
            -3 / math.sqrt(8.4),
        ]
    )


def test_an_empty_cell_surrounded_by_points_is_hot():
    # A ring of eight cells with one point each around the empty centre (2,2), plus one
    # point in (0,0) and one in (4,4) so that the study area is 5×5.
    ring = {(i, j): 1 for i in (1, 2, 3) for j in (1, 2, 3) if (i, j) != (2, 2)}
    x, y = centre_points({**ring, (0, 0): 1, (4, 4): 1})
    # n = 25, Σx = 10, x̄ = 0.4, Σx² = 10, S² = 0.4 − 0.16 = 0.24.
    # Centre: W = 9, Σwx = 8: z = (8 − 3.6)/(√0.24·√((225 − 81)/24)) = 4.4/√1.44 = 4.4/1.2.
    # Ring cell (1,2): W = 9, Σwx = 5: z = 1.4/1.2, not hot.
    result = geo.hotspots_projected(x, y)
    assert result["cells"] == 25
    assert len(result["hot"]) == 1
    (hot,) = result["hot"]
    assert (hot["x"], hot["y"], hot["count"]) == (X0 + 500, Y0 + 500, 0)
    assert hot["z"] == pytest.approx(4.4 / 1.2)
    assert hot["p"] == pytest.approx(math.erfc(4.4 / 1.2 / math.sqrt(2)))
    # With --all the empty centre is not listed, but the ten non-empty cells are.
    every = geo.hotspots_projected(x, y, all_cells=True)
    assert len(every["hot"]) == 10
    assert all(r["count"] > 0 for r in every["hot"])
    ring_cell = next(r for r in every["hot"] if (r["x"], r["y"]) == (X0 + 250, Y0 + 500))
    assert ring_cell["z"] == pytest.approx(1.4 / 1.2)


def test_ties_are_broken_by_x_then_y():
    # Four corners of a 4×4 area with 5 points each: n = 16, x̄ = 1.25, and each corner
    # has W = 4 and Σwx = 5, so z = (5 − 1.25·4)/… = 0 for all four: a four-way tie.
    x, y = centre_points({(3, 3): 5, (0, 3): 5, (3, 0): 5, (0, 0): 5})
    result = geo.hotspots_projected(x, y, all_cells=True)
    assert [(r["x"] - X0, r["y"] - Y0) for r in result["hot"]] == [(0, 0), (0, 750), (750, 0), (750, 750)]
    assert [r["z"] for r in result["hot"]] == [0.0] * 4
    assert [r["p"] for r in result["hot"]] == [1.0] * 4
    assert geo.hotspots_projected(x, y)["hot"] == []


def test_s_zero_gives_null_z_and_nothing_hot():
    counts = {(0, 0): 3, (0, 1): 3, (1, 0): 3, (1, 1): 3}
    data = csv_of(counts)
    assert geo.hotspots_from_csv(data)["hot"] == []
    every = geo.hotspots_from_csv(data, all_cells=True)
    assert [(r["x"] - X0, r["y"] - Y0, r["z"], r["p"]) for r in every["hot"]] == [
        (0, 0, None, None),
        (0, 250, None, None),
        (250, 0, None, None),
        (250, 250, None, None),
    ]


def test_tiny_study_area_where_w_equals_n_has_no_hot_cells():
    # 2×2 area, S² = (9 + 1)/4 − 1 = 1.5 > 0, but W = 4 = n for every cell.
    x, y = centre_points({(0, 0): 3, (1, 1): 1})
    result = geo.hotspots_projected(x, y, all_cells=True)
    assert result["cells"] == 4
    assert [(r["x"] - X0, r["y"] - Y0, r["count"], r["z"]) for r in result["hot"]] == [
        (0, 0, 3, None),
        (250, 250, 1, None),
    ]
    assert geo.hotspots_projected(x, y)["hot"] == []


def test_null_z_sorts_after_numbers_with_all():
    # 3×3 area: the centre has W = n (null), the others have numbers.
    x, y = centre_points({(1, 1): 9, (0, 0): 1, (2, 2): 1})
    rows = geo.hotspots_projected(x, y, all_cells=True)["hot"]
    assert rows[-1]["z"] is None
    assert (rows[-1]["x"], rows[-1]["y"]) == (X0 + 250, Y0 + 250)
    assert all(r["z"] is not None for r in rows[:-1])


def test_a_single_point_is_one_cell_with_no_z():
    result = geo.hotspots([56.833], [13.941], all_cells=True)
    assert result["cells"] == 1
    assert result["points"] == 1
    assert result["hot"] == [{"x": 435250, "y": 6299250, "count": 1, "z": None, "p": None}]


def test_cell_edges_belong_to_the_cell_above_and_to_the_right():
    # x = 500 is the first metre of cell [500, 750); 499.999 is still in [250, 500).
    x = np.array([X0 + 500.0, X0 + 499.999, X0 + 0.0])
    y = np.array([Y0 + 0.0, Y0 + 0.0, Y0 + 249.999])
    rows = geo.hotspots_projected(x, y, all_cells=True)["hot"]
    assert sorted((r["x"] - X0, r["y"] - Y0) for r in rows) == [(0, 0), (250, 0), (500, 0)]


def test_cell_size_option():
    x, y = centre_points({(0, 0): 1, (3, 1): 2})
    result = geo.hotspots_projected(x, y, cell=1000, all_cells=True)
    assert result["cell"] == 1000
    assert result["cells"] == 1
    assert result["hot"][0]["count"] == 3
    for bad in (0, -250, 2.5, True):
        with pytest.raises(ValueError):
            geo.hotspots_projected(x, y, cell=bad)  # type: ignore[arg-type]


# ------------------------------------------------------------------ CSV errors


def errors_of(data: bytes) -> list[tuple[int | None, str | None]]:
    with pytest.raises(geo.HotspotInputError) as caught:
        geo.hotspots_from_csv(data)
    return [(e.line, e.column) for e in caught.value.errors]


def test_missing_coordinate_names_line_and_column():
    data = b"lat,lon\n56.83,13.94\n,13.94\n56.83\n"
    with pytest.raises(geo.HotspotInputError) as caught:
        geo.hotspots_from_csv(data)
    assert [(e.line, e.column) for e in caught.value.errors] == [(3, "lat"), (4, "lon")]
    assert "line 3, column lat: missing value" in str(caught.value)
    assert "line 4, column lon: missing value" in str(caught.value)


def test_out_of_range_and_unreadable_values_name_their_lines():
    data = b"name,lat,lon\na,56.83,13.94\nb,90.5,13.94\nc,56.83,-180.01\nd,-90,180\ne,north,13.9\nf,nan,inf\n"
    with pytest.raises(geo.HotspotInputError) as caught:
        geo.hotspots_from_csv(data)
    assert [(e.line, e.column) for e in caught.value.errors] == [
        (3, "lat"),
        (4, "lon"),
        (6, "lat"),
        (7, "lat"),
        (7, "lon"),
    ]
    text = str(caught.value)
    assert "line 3, column lat: 90.5 is out of range" in text
    assert "'north' is not a number" in text


def test_decimal_comma_gets_a_hint():
    data = b'lat,lon\n"56,83","13,94"\n'
    with pytest.raises(geo.HotspotInputError, match="use a decimal point"):
        geo.hotspots_from_csv(data)


def test_empty_file_header_only_and_missing_columns():
    assert errors_of(b"") == [(1, None)]
    assert errors_of(b"\n\n") == [(1, None)]
    assert errors_of(b"lat,lon\n") == [(None, None)]
    assert errors_of(b"lat,lon\n\n\n") == [(None, None)]
    assert errors_of(b"latitude,lon\n56,14\n") == [(1, "lat")]
    assert errors_of(b"x,y\n56,14\n") == [(1, "lat"), (1, "lon")]
    assert errors_of(b"lat,lon,lat\n56,14,56\n") == [(1, "lat")]
    with pytest.raises(geo.HotspotInputError, match="no points"):
        geo.read_points_csv(b"lat,lon\n")


def test_blank_lines_are_skipped_but_counted():
    data = b"lat,lon\n\n56.83,13.94\n\n  \nabc,13.94\n"
    assert errors_of(data) == [(6, "lat")]
    lat, lon = geo.read_points_csv(b"lat,lon\n\n56.83,13.94\n\n56.84,13.95\n\n")
    assert lat.tolist() == [56.83, 56.84]
    assert lon.tolist() == [13.94, 13.95]


def test_a_quoted_field_spanning_lines_keeps_line_numbers_right():
    data = b'lat,lon,note\n56.83,13.94,"two\nlines"\n,13.94,x\n'
    assert errors_of(data) == [(4, "lat")]


def test_invalid_utf8_names_the_line():
    assert errors_of(b"lat,lon\n56.8,13.9\n56.8,13.9\xff\n") == [(3, None)]


def test_many_errors_are_counted_and_the_first_ones_named():
    rows = "\n".join(["lat,lon"] + ["95,13.9"] * 30 + ["56.8,13.9"])
    with pytest.raises(geo.HotspotInputError) as caught:
        geo.hotspots_from_csv(rows.encode())
    assert caught.value.total == 30
    assert [e.line for e in caught.value.errors] == list(range(2, 2 + geo.MAX_ERRORS))
    assert str(caught.value).endswith("… and 10 more errors")


def test_point_that_cannot_be_projected_is_named():
    # On the equator, 90° from SWEREF 99 TM's central meridian: PROJ returns inf.
    assert errors_of(b"lat,lon\n56.8,13.9\n0,-75\n") == [(3, None)]
    assert errors_of(b"lat,lon\n\n56.8,13.9\n\n0,-75\n") == [(5, None)]


def test_points_spanning_too_many_cells_are_refused():
    with pytest.raises(geo.HotspotInputError, match="more than 100"):
        geo.hotspots([56.0, 57.0], [13.9, 13.9], max_cells=100)


def test_header_is_case_and_space_insensitive_with_bom_and_crlf():
    data = "\ufeffid; , LAT , Lon \r\n1,56.83,13.94\r\n2,56.84,13.95\r\n".encode()
    lat, lon = geo.read_points_csv(data)
    assert lat.tolist() == [56.83, 56.84]
    assert lon.tolist() == [13.94, 13.95]


def test_spaces_around_numbers_are_read_without_the_row_by_row_reader():
    data = b"lat,lon\n 56.83 ,13.94\n56.84, 13.95\n"
    assert geo._read_fast(data, geo._header(data)) is not None
    lat, lon = geo.read_points_csv(data)
    assert lat.tolist() == [56.83, 56.84]
    assert lon.tolist() == [13.94, 13.95]


def test_columns_in_any_order_and_extra_fields():
    lat, lon = geo.read_points_csv(b"lon,x,lat\n13.94,a,56.83\n13.95,b,56.84,extra\n")
    assert lat.tolist() == [56.83, 56.84]
    assert lon.tolist() == [13.94, 13.95]


def test_sources_path_text_and_binary_files(tmp_path):
    data = b"lat,lon\n56.83,13.94\n"
    path = tmp_path / "points.csv"
    path.write_bytes(data)
    for source in (path, str(path), io.BytesIO(data), io.StringIO(data.decode()), data):
        lat, lon = geo.read_points_csv(source)
        assert (lat.tolist(), lon.tolist()) == ([56.83], [13.94])


def test_hotspots_from_arrays_refuses_invalid_points():
    with pytest.raises(geo.HotspotInputError, match="point 1"):
        geo.hotspots([56.8, 91.0], [13.9, 13.9])
    with pytest.raises(geo.HotspotInputError, match="point 0"):
        geo.hotspots([float("nan")], [13.9])


# ------------------------------------------------------ projection and snapping

# Ljungby, the square in front of the town hall (roughly). Reference values from
# pyproj 3.7 / PROJ 9.5 (EPSG:4326 → EPSG:3006, always_xy=True).
LJUNGBY = (56.833, 13.941)
LJUNGBY_XY = (435_381.589_074, 6_299_296.413_609)


def gauss_kruger(lat: float, lon: float) -> tuple[float, float]:
    """Independent check: the Gauss–Krüger series for SWEREF 99 TM (GRS 80, λ₀ = 15°)."""
    a, f, k0, lon0, false_east = 6_378_137.0, 1 / 298.257_222_101, 0.9996, math.radians(15), 500_000.0
    e2 = f * (2 - f)
    n = f / (2 - f)
    a_hat = a / (1 + n) * (1 + n**2 / 4 + n**4 / 64)
    c1, c2 = e2, (5 * e2**2 - e2**3) / 6
    c3, c4 = (104 * e2**3 - 45 * e2**4) / 120, 1237 * e2**4 / 1260
    phi = math.radians(lat)
    s, c = math.sin(phi), math.cos(phi)
    conformal = phi - s * c * (c1 + c2 * s**2 + c3 * s**4 + c4 * s**6)
    dlon = math.radians(lon) - lon0
    xi = math.atan(math.tan(conformal) / math.cos(dlon))
    eta = math.atanh(math.cos(conformal) * math.sin(dlon))
    beta = [
        n / 2 - 2 * n**2 / 3 + 5 * n**3 / 16 + 41 * n**4 / 180,
        13 * n**2 / 48 - 3 * n**3 / 5 + 557 * n**4 / 1440,
        61 * n**3 / 240 - 103 * n**4 / 140,
        49561 * n**4 / 161280,
    ]
    north = xi + sum(b * math.sin(2 * k * xi) * math.cosh(2 * k * eta) for k, b in enumerate(beta, 1))
    east = eta + sum(b * math.cos(2 * k * xi) * math.sinh(2 * k * eta) for k, b in enumerate(beta, 1))
    return k0 * a_hat * east + false_east, k0 * a_hat * north


def test_projection_of_a_ljungby_point():
    x, y = geo.project([LJUNGBY[0]], [LJUNGBY[1]])
    assert x[0] == pytest.approx(LJUNGBY_XY[0], abs=0.001)
    assert y[0] == pytest.approx(LJUNGBY_XY[1], abs=0.001)
    east, north = gauss_kruger(*LJUNGBY)
    assert x[0] == pytest.approx(east, abs=0.001)
    assert y[0] == pytest.approx(north, abs=0.001)
    lat, lon = geo.unproject(x, y)
    assert lat[0] == pytest.approx(LJUNGBY[0], abs=1e-9)
    assert lon[0] == pytest.approx(LJUNGBY[1], abs=1e-9)


def test_ljungby_point_lands_in_the_expected_250_m_cell():
    result = geo.hotspots([LJUNGBY[0]], [LJUNGBY[1]], all_cells=True)
    # 435381.6 // 250 = 1741 → 435250; 6299296.4 // 250 = 25197 → 6299250.
    assert (result["hot"][0]["x"], result["hot"][0]["y"]) == (435_250, 6_299_250)


def test_snapping_a_ljungby_point():
    lat, lon = geo.snap_to_grid(*LJUNGBY)
    x, y = geo.project([lat], [lon])
    # The 100 m cell [435300, 435400) × [6299200, 6299300) has its centre here:
    assert x[0] == pytest.approx(435_350, abs=1e-6)
    assert y[0] == pytest.approx(6_299_250, abs=1e-6)
    assert geo.snap_to_grid(lat, lon) == (lat, lon)
    distance = Geod(ellps="GRS80").inv(LJUNGBY[1], LJUNGBY[0], lon, lat)[2]
    assert distance < 71


def test_snapping_with_other_cell_sizes_and_bad_input():
    lat, lon = geo.snap_to_grid(*LJUNGBY, metres=1000)
    x, y = geo.project([lat], [lon])
    assert (x[0], y[0]) == pytest.approx((435_500, 6_299_500), abs=1e-6)
    for bad_lat, bad_lon in ((91, 13.9), (56.8, float("nan")), (0, -75)):
        with pytest.raises(ValueError):
            geo.snap_to_grid(bad_lat, bad_lon)
    with pytest.raises(ValueError):
        geo.snap_to_grid(*LJUNGBY, metres=0)
    with pytest.raises(ValueError):
        geo.snap_to_grid_arrays([1.0, 2.0], [1.0])


# ------------------------------------------------------------------ properties

sweden_lat = st.floats(min_value=55.3, max_value=69.0, allow_nan=False)
sweden_lon = st.floats(min_value=10.9, max_value=24.1, allow_nan=False)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(sweden_lat, sweden_lon), min_size=1, max_size=20))
def test_snapping_is_idempotent_and_close(points):
    lat = np.array([p[0] for p in points])
    lon = np.array([p[1] for p in points])
    snapped_lat, snapped_lon = geo.snap_to_grid_arrays(lat, lon)
    again_lat, again_lon = geo.snap_to_grid_arrays(snapped_lat, snapped_lon)
    assert np.array_equal(again_lat, snapped_lat)
    assert np.array_equal(again_lon, snapped_lon)
    _, _, distance = Geod(ellps="GRS80").inv(lon, lat, snapped_lon, snapped_lat)
    assert np.all(np.asarray(distance) < 71)
    # The snapped point is the centre of the original point's cell.
    x, y = geo.project(lat, lon)
    sx, sy = geo.project(snapped_lat, snapped_lon)
    assert np.allclose(sx, np.floor(x / 100) * 100 + 50, atol=1e-6, rtol=0)
    assert np.allclose(sy, np.floor(y / 100) * 100 + 50, atol=1e-6, rtol=0)
    assert geo.snap_to_grid(lat[0], lon[0]) == (snapped_lat[0], snapped_lon[0])


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 7), st.integers(1, 7), st.data())
def test_gi_star_matches_the_formula_cell_by_cell(width, height, data):
    values = data.draw(st.lists(st.integers(0, 6), min_size=width * height, max_size=width * height))
    grid = np.array(values).reshape(width, height)
    z = geo.gi_star(grid)
    expected = reference_gi_star(grid)
    for i in range(width):
        for j in range(height):
            if expected[i][j] is None:
                assert math.isnan(z[i, j])
            else:
                assert z[i, j] == pytest.approx(expected[i][j], rel=1e-9, abs=1e-9)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 1999.99), st.floats(0, 1499.99)),
        min_size=1,
        max_size=80,
    ),
    st.booleans(),
)
def test_hotspot_output_invariants(offsets, all_cells):
    x = np.array([X0 + o[0] for o in offsets])
    y = np.array([Y0 + o[1] for o in offsets])
    result = geo.hotspots_projected(x, y, all_cells=all_cells)
    rows = result["hot"]
    assert result["points"] == len(offsets)
    columns = len({int(v // CELL) for v in x.tolist()})
    assert result["cells"] >= columns
    if all_cells:
        assert sum(r["count"] for r in rows) == len(offsets)
        assert all(r["count"] > 0 for r in rows)
    else:
        assert all(r["z"] is not None and r["z"] >= geo.HOT_Z for r in rows)
    keys = [(math.inf if r["z"] is None else -r["z"], r["x"], r["y"]) for r in rows]
    assert keys == sorted(keys)
    assert all(r["x"] % CELL == 0 and r["y"] % CELL == 0 for r in rows)
    # Shuffling the points changes nothing.
    order = np.random.default_rng(0).permutation(len(offsets))
    assert geo.hotspots_projected(x[order], y[order], all_cells=all_cells) == result


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(-90, 90), st.floats(-180, 180)), min_size=1, max_size=30))
def test_csv_fast_and_exact_readers_agree(points):
    body = "".join(f"{a!r},{o!r}\n" for a, o in points)
    data = ("lat,lon\n" + body).encode()
    header = geo._header(data)
    fast = geo._read_fast(data, header)
    assert fast is not None
    exact = geo._read_exact(data, header, geo.MAX_ERRORS)
    assert exact.total_errors == 0
    assert fast[0].tolist() == exact.lat == [p[0] for p in points]
    assert fast[1].tolist() == exact.lon == [p[1] for p in points]
    assert exact.lines == list(range(2, len(points) + 2))
    # Blank lines are skipped by both readers.
    spaced = ("lat,lon\n\n" + body.replace("\n", "\n \r\n", 1)).encode()
    lat, lon = geo.read_points_csv(spaced)
    assert (lat.tolist(), lon.tolist()) == (exact.lat, exact.lon)
    assert geo._read_exact(spaced, header, geo.MAX_ERRORS).lat == exact.lat
