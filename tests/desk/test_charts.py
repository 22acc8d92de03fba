"""desk/charts.py: each chart is well-formed SVG labelled for assistive technology, its bars
sized in proportion to the numbers they carry, and text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from desk.charts import Series, bar_chart, hbar_chart, stacked_bar_chart

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, under test


def bars(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{{{NS['svg']}}}rect") if "data-value" in r.attrib]


def test_bar_chart_is_labelled_and_bar_heights_follow_the_values():
    svg = bar_chart(
        chart_id="c1",
        title="Releases per month",
        desc="Three months.",
        labels=["2025-01", "2025-02", "2025-03"],
        values=[4, 0, 2],
        plot_height=160,
    )
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find("svg:title", NS).text == "Releases per month"
    assert root.find("svg:title", NS).get("id") == "c1-title"
    assert root.find("svg:desc", NS).get("id") == "c1-desc"
    found = bars(root)
    assert [b.get("data-label") for b in found] == ["2025-01", "2025-02", "2025-03"]
    assert [float(b.get("data-value")) for b in found] == [4, 0, 2]
    assert [float(b.get("height")) for b in found] == [160, 0, 80]
    # Bars stand on one baseline.
    assert len({float(b.get("y")) + float(b.get("height")) for b in found}) == 1


def test_horizontal_bars_scale_to_a_fixed_maximum_for_percentages():
    root = parse(
        hbar_chart(
            chart_id="r",
            title="Response rate",
            desc="d",
            labels=["Malaysia", "မြန်မာ"],
            values=[50, 100],
            unit="%",
            scale_max=100,
            plot_width=300,
        )
    )
    found = bars(root)
    assert [float(b.get("width")) for b in found] == [150, 300]
    # Burmese labels are tagged so the Myanmar font applies.
    burmese = [t for t in root.iter(f"{{{NS['svg']}}}text") if "မြန်မာ" in (t.text or "")]
    assert burmese and burmese[0].get("lang") == "my"


def test_stacked_columns_add_up_and_share_one_scale():
    root = parse(
        stacked_bar_chart(
            chart_id="s",
            title="Asks by status",
            desc="d",
            labels=["2025-01", "2025-02"],
            series=[Series("Open", [2, 1]), Series("Met", [0, 3])],
            plot_height=100,
        )
    )
    columns = [g for g in root.iter(f"{{{NS['svg']}}}g") if g.get("class") == "column"]
    assert [c.get("data-label") for c in columns] == ["2025-01", "2025-02"]
    heights = [sum(float(r.get("height")) for r in c.iter(f"{{{NS['svg']}}}rect")) for c in columns]
    assert heights == [50, 100]  # totals 2 and 4, the tallest fills the plot
    second = {
        r.get("data-series"): float(r.get("data-value"))
        for r in columns[1].iter()
        if r.get("data-series")
    }
    assert second == {"Open": 1, "Met": 3}


def test_text_is_escaped_and_an_empty_chart_says_so():
    svg = bar_chart(
        chart_id="x",
        title="<script>alert(1)</script>",
        desc="a & b",
        labels=['"><b>'],
        values=[1],
    )
    root = parse(svg)  # would not parse if the markup leaked
    assert "<script>" not in svg and root.find("svg:title", NS).text == "<script>alert(1)</script>"
    empty = parse(bar_chart(chart_id="e", title="T", desc="D", labels=[], values=[], empty="None"))
    assert not bars(empty) and "None" in "".join(empty.itertext())
