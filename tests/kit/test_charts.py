"""Inline SVG charts: well-formed, accessible, escaped, and drawn where the numbers say."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from propulse.kit.charts import Bar, Series, bar_chart, line_chart, progress_bar

NS = "{http://www.w3.org/2000/svg}"
EVIL = '<script>alert("pwned")</script> & co'
Q1_START, Q1_END = date(2025, 1, 1), date(2025, 3, 31)


def parse(markup: Markup) -> ET.Element:
    assert isinstance(markup, Markup)
    return ET.fromstring(str(markup))  # noqa: S314 - our own output, not untrusted input


def elements(root: ET.Element, tag: str, css: str | None = None) -> list[ET.Element]:
    found = root.iter(f"{NS}{tag}")
    return [e for e in found if css is None or css in e.get("class", "").split()]


def texts(root: ET.Element, css: str) -> list[str]:
    return [e.text or "" for e in elements(root, "text", css)]


def polyline_points(element: ET.Element) -> list[tuple[float, float]]:
    pairs = (pair.split(",") for pair in element.get("points", "").split())
    return [(float(x), float(y)) for x, y in pairs]


def leads_chart(*series: Series, **options: Any) -> ET.Element:
    arguments: dict[str, Any] = {
        "title": "Qualified leads",
        "description": "Leads per week in Q1",
        "series": list(series),
        "x_start": Q1_START,
        "x_end": Q1_END,
    }
    return parse(line_chart(**{**arguments, **options}))


def inbound(*values: float, start: date = Q1_START, every_days: int = 14) -> Series:
    return Series(
        "Inbound", [(start + timedelta(days=i * every_days), v) for i, v in enumerate(values)]
    )


# Line chart


def test_a_line_chart_is_an_accessible_svg_that_scales():
    root = leads_chart(inbound(3, 8, 13))
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    assert "chart" in root.get("class", "").split()
    assert root.get("viewBox") == "0 0 640 240"
    assert root.get("width") is None and root.get("height") is None
    title, desc = root[0], root[1]
    assert (title.tag, title.text) == (f"{NS}title", "Qualified leads")
    assert (desc.tag, desc.text) == (f"{NS}desc", "Leads per week in Q1")
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == desc.get("id")
    assert not list(root.iter(f"{NS}script"))
    assert not [k for e in root.iter() for k in e.attrib if k.lower().startswith("on")]


def test_the_same_chart_renders_the_same_markup():
    assert line_chart(
        title="A", description="B", series=[inbound(1, 2)], x_start=Q1_START, x_end=Q1_END
    ) == line_chart(
        title="A", description="B", series=[inbound(1, 2)], x_start=Q1_START, x_end=Q1_END
    )


def test_each_series_is_a_line_with_one_hoverable_point_per_value_and_a_legend():
    outbound = Series("Outbound", [(date(2025, 1, 10), 4), (date(2025, 2, 10), 9)])
    root = leads_chart(inbound(3, 8, 13), outbound, x_format=lambda d: d.strftime("%d/%m"))
    assert len(elements(root, "polyline")) == 2
    circles = elements(root, "circle")
    assert len(circles) == 5
    hover = circles[-1].find(f"{NS}title")
    assert hover is not None and hover.text == "Outbound — 10/02: 9"
    assert len(elements(root, "g", "chart-legend")) == 2
    assert texts(root, "chart-label")[-2:] == ["Inbound", "Outbound"]


def test_a_single_series_has_no_legend():
    assert not elements(leads_chart(inbound(3, 8)), "g", "chart-legend")


def test_a_higher_value_is_drawn_higher_and_a_later_date_further_right():
    root = leads_chart(inbound(10, 40, 25))
    xs = [float(c.get("cx", "")) for c in elements(root, "circle")]
    ys = [float(c.get("cy", "")) for c in elements(root, "circle")]
    assert xs[0] < xs[1] < xs[2]
    assert ys[1] < ys[2] < ys[0]
    line = polyline_points(elements(root, "polyline")[0])
    assert [y for _, y in line] == ys


def test_on_a_fixed_scale_a_point_moves_up_when_its_value_grows():
    def height_of(value: float) -> float:
        root = leads_chart(inbound(value), y_min=0, y_max=100)
        return float(elements(root, "circle")[0].get("cy", ""))

    assert height_of(60) < height_of(30) < height_of(0)


def test_the_y_axis_has_round_ticks_and_uses_the_callers_format():
    root = leads_chart(inbound(3, 50, 97), y_format=lambda v: f"{v:.0f} k€")
    grid = elements(root, "line", "chart-grid")
    assert 4 <= len(grid) <= 6
    grid_ys = {g.get("y1") for g in grid}
    labels = [e.text for e in elements(root, "text") if e.get("y") in grid_ys]
    assert labels == ["0 k€", "20 k€", "40 k€", "60 k€", "80 k€", "100 k€"]


def test_dates_are_labelled_at_both_ends_and_in_between():
    root = leads_chart(inbound(1, 2), x_format=date.isoformat)
    labels = texts(root, "chart-label")
    assert labels.count("2025-01-01") == 1 and labels.count("2025-03-31") == 1
    assert 3 <= sum(label.startswith("2025-") for label in labels) <= 6


def test_user_text_is_escaped_everywhere():
    chart = line_chart(
        title=EVIL,
        description=EVIL,
        series=[Series(EVIL, [(Q1_START, 1)]), Series("Other", [])],
        x_start=Q1_START,
        x_end=Q1_END,
        target=5,
        target_label=EVIL,
    )
    assert "<script" not in chart
    root = parse(chart)
    assert root[0].text == EVIL and root[1].text == EVIL
    assert EVIL in texts(root, "chart-label")  # the legend
    assert texts(root, "chart-target-label") == [EVIL]
    hover = elements(root, "circle")[0].find(f"{NS}title")
    assert hover is not None and EVIL in (hover.text or "")


def test_no_data_shows_the_callers_text_over_empty_axes():
    for series in ([], [Series("Inbound", [])], [inbound(5, start=date(2024, 6, 1))]):
        root = leads_chart(*series, empty_text="Aucune mesure <encore>")
        assert texts(root, "chart-empty") == ["Aucune mesure <encore>"]
        assert len(elements(root, "line", "chart-axis")) == 2
        assert not elements(root, "polyline") and not elements(root, "circle")


def test_a_single_point_is_a_marker_without_a_line():
    root = leads_chart(inbound(42))
    assert len(elements(root, "circle")) == 1
    assert not elements(root, "polyline")
    assert not texts(root, "chart-empty")


def test_all_equal_values_and_a_one_day_range_still_draw():
    flat = leads_chart(inbound(50, 50, 50))
    heights = {c.get("cy") for c in elements(flat, "circle")}
    assert len(heights) == 1 and math.isfinite(float(heights.pop() or "nan"))
    one_day = leads_chart(inbound(5, 7, every_days=0), x_end=Q1_START)
    xs = {c.get("cx") for c in elements(one_day, "circle")}
    assert len(xs) == 1 and len(elements(one_day, "circle")) == 2


def test_points_outside_the_dates_are_clipped_at_the_edges():
    before = [(date(2024, 11, 1), -50), (date(2024, 12, 1), 0)]
    inside = [(date(2025, 1, 15), 10), (date(2025, 3, 1), 40)]
    after = [(date(2025, 5, 1), 60), (date(2025, 6, 1), 500)]
    root = leads_chart(Series("Pipeline", before + inside + after))
    assert len(elements(root, "circle")) == 2
    axis = elements(root, "line", "chart-axis")
    left, right = float(axis[0].get("x1", "")), float(axis[1].get("x2", ""))
    line = polyline_points(elements(root, "polyline")[0])
    assert len(line) == 4  # the two points plus where the line crosses each edge
    assert line[0][0] == left and line[-1][0] == right
    assert all(left <= x <= right for x, _ in line)
    labels = [e.text for e in elements(root, "text") if e.get("text-anchor") == "end"]
    assert "500" not in labels and "-50" not in labels  # the scale ignores what is not drawn


def test_the_target_is_a_dashed_labelled_horizontal_line():
    root = leads_chart(inbound(10, 30), target=80, target_label="Cible : 80")
    (target,) = elements(root, "line", "chart-target")
    assert target.get("y1") == target.get("y2")
    assert target.get("stroke-dasharray") not in (None, "none")
    assert texts(root, "chart-target-label") == ["Cible : 80"]
    circles_y = [float(c.get("cy", "")) for c in elements(root, "circle")]
    assert float(target.get("y1", "")) < min(circles_y)  # 80 is above 10 and 30
    assert texts(leads_chart(inbound(1), target=80), "chart-target-label") == ["80"]


def test_the_expected_progress_line_rises_across_the_period_and_joins_the_legend():
    expected = ((Q1_START, 0.0), (Q1_END, 100.0))
    root = leads_chart(inbound(10, 30), expected_line=expected, expected_label="Expected")
    (line,) = elements(root, "line", "chart-expected")
    assert float(line.get("x1", "")) < float(line.get("x2", ""))
    assert float(line.get("y1", "")) > float(line.get("y2", ""))
    assert line.get("stroke-dasharray") not in (None, "none")
    assert len(elements(root, "g", "chart-legend")) == 2


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(
        st.tuples(
            st.dates(date(2024, 10, 1), date(2025, 6, 30)),
            st.floats(-1e9, 1e9, allow_nan=False),
        ),
        max_size=12,
    ),
    span=st.integers(0, 200),
)
def test_any_finite_data_gives_well_formed_svg_with_points_inside_the_drawing(values, span):
    root = leads_chart(
        Series("Any", values),
        Series("Flat", [(Q1_START, 1)]),
        x_end=Q1_START + timedelta(days=span),
    )
    drawn = [(float(c.get("cx", "")), float(c.get("cy", ""))) for c in elements(root, "circle")]
    drawn += [point for line in elements(root, "polyline") for point in polyline_points(line)]
    assert all(0 <= x <= 640 and 0 <= y <= 240 for x, y in drawn)


# Bar chart


def team_load(*bars: Bar, **options: Any) -> ET.Element:
    arguments: dict[str, Any] = {
        "title": "Team load",
        "description": "Hours planned",
        "bars": list(bars),
    }
    return parse(bar_chart(**{**arguments, **options}))


def test_one_bar_per_item_with_its_value_and_a_limit_line():
    root = team_load(
        Bar("Content", 30),
        Bar("Events", 45, "events"),
        Bar("SEO", 12),
        limit=40,
        limit_label="Capacity",
    )
    rects = elements(root, "rect", "chart-bar")
    assert len(rects) == 3
    assert texts(root, "chart-value") == ["30", "45", "12"]
    assert "events" in rects[1].get("class", "").split()
    widths = [float(r.get("width", "")) for r in rects]
    assert widths[2] < widths[0] < widths[1]
    (limit,) = elements(root, "line", "chart-limit")
    assert limit.get("x1") == limit.get("x2")
    assert (
        float(rects[0].get("x", ""))
        < float(limit.get("x1", ""))
        < float(rects[1].get("x", "")) + widths[1]
    )
    assert texts(root, "chart-limit-label") == ["Capacity"]
    assert root.get("role") == "img" and root[0].text == "Team load"


def test_only_bars_over_the_limit_are_marked():
    root = team_load(Bar("Content", 30), Bar("Events", 45), Bar("SEO", 40), limit=40)
    over = [r for r in elements(root, "rect", "chart-bar") if "chart-over" in r.get("class", "")]
    assert len(over) == 1 and elements(root, "rect", "chart-over") == over
    assert not elements(team_load(Bar("Events", 45)), "rect", "chart-over")
    assert not elements(team_load(Bar("Events", 45)), "line", "chart-limit")


def test_the_chart_grows_with_the_number_of_bars():
    def height(count: int) -> float:
        view_box = team_load(*[Bar(f"Team {i}", i) for i in range(count)]).get("viewBox", "")
        return float(view_box.split()[3])

    assert height(1) < height(2) < height(8)


def test_bar_labels_are_escaped_and_long_ones_shortened_with_the_full_text_on_hover():
    long_label = "Brand, content and community team " + EVIL
    chart = bar_chart(title=EVIL, description=EVIL, bars=[Bar(long_label, 3)])
    assert "<script" not in chart
    root = parse(chart)
    (row,) = elements(root, "g", "chart-row")
    hover = row.find(f"{NS}title")
    assert hover is not None and hover.text == f"{long_label}: 3"
    shown = [t for t in texts(root, "chart-label") if t.startswith("Brand")]
    assert shown and shown[0].endswith("…") and len(shown[0]) < len(long_label)


def test_no_bars_shows_the_callers_text():
    root = team_load(empty_text="Personne")
    assert texts(root, "chart-empty") == ["Personne"]
    assert not elements(root, "rect")


# Progress bar


def fill_width(root: ET.Element) -> float:
    (fill,) = elements(root, "rect", "chart-progress-fill")
    return float(fill.get("width", ""))


def test_progress_shows_the_share_and_its_percentage():
    root = parse(progress_bar(value=0.42, label="KR 1", css_class="at-risk"))
    assert root.get("role") == "img" and "chart" in root.get("class", "").split()
    assert root.get("aria-label") == "KR 1: 42%"
    assert root.get("width") is None
    assert fill_width(root) == 42
    assert "at-risk" in elements(root, "rect", "chart-progress-fill")[0].get("class", "")
    assert texts(root, "chart-value") == ["42%"]


def test_progress_outside_zero_to_one_is_clamped():
    assert fill_width(parse(progress_bar(value=1.7, label="Over"))) == 100
    assert texts(parse(progress_bar(value=1.7, label="Over")), "chart-value") == ["100%"]
    assert fill_width(parse(progress_bar(value=-0.3, label="Under"))) == 0
    assert fill_width(parse(progress_bar(value=math.nan, label="Unknown"))) == 0


def test_progress_label_is_escaped_and_the_format_is_the_callers():
    markup = progress_bar(value=0.5, label=EVIL, value_format=lambda share: f"{share * 100:.0f} %")
    assert "<script" not in markup
    root = parse(markup)
    assert root.get("aria-label") == f"{EVIL}: 50 %"
    assert texts(root, "chart-value") == ["50 %"]
