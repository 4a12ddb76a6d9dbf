"""What the lab tests read from a course chart: its Vega-Lite spec, its takeaway, its colours.

Shared by every module's lab tests, so that "the chart uses the theme's colours" means the
same thing in each of them.
"""

from __future__ import annotations

import re

import altair as alt

from trustlab.charts import THEME


def spec_of(box) -> dict:
    """The Vega-Lite spec of a lab figure (chart above, takeaway below), with the course theme on."""
    with alt.theme.enable(THEME):
        return box.children[0].chart.to_dict()


def takeaway_of(box) -> str:
    """The takeaway sentence under a lab figure, as the learner reads it."""
    return re.sub(r"<[^>]+>", "", box.children[1].value).removeprefix("Takeaway: ")


def colours(spec) -> list[tuple[str, object]]:
    """Every fixed colour a mark sets, and every colour range a scale sets."""
    found = []
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key in {"color", "fill", "stroke"} and isinstance(value, str):
                found.append((key, value))
            elif key == "scale" and isinstance(value, dict) and "range" in value:
                found.append(("range", value["range"]))
            else:
                found += colours(value)
    elif isinstance(spec, list):
        for value in spec:
            found += colours(value)
    return found
