"""Module 02's data lab: right tables, described charts that fit the page, honest takeaways.

Every expected number here is computed with plain pandas from the CSV file itself, not
through the lab's helpers, so a helper that groups or counts the wrong thing fails.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
import vl_convert

from chartspec import colours, spec_of, takeaway_of
from trustlab.charts import INK
from trustlab.labs import disclosure
from trustlab.labs.disclosure import (SHAME_BANDS, client_table, depth_by_response,
                                      depth_by_response_chart, depth_by_shame, depth_by_shame_chart,
                                      held_back_chart, held_back_counts, shame_band)
from trustlab.paths import course_root

DATA = course_root() / "data"
CHARTS = (depth_by_response_chart, depth_by_shame_chart, held_back_chart)
MAX_WIDTH = 520  # px, axis labels and legend included: the notebook's output area is about 590 px


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    """The CSV as pandas reads it, with no help from the course's loader."""
    return pd.read_csv(DATA / "disclosure_sessions.csv")


@pytest.fixture(scope="module")
def ds():
    from trustlab.data import load_dataset
    return load_dataset("disclosure_sessions")


def band_by_hand(score: float) -> str:
    return SHAME_BANDS[0] if score < 2.5 else SHAME_BANDS[1] if score < 3.5 else SHAME_BANDS[2]






# --- the tables behind the charts ------------------------------------------------------------

@pytest.mark.parametrize("score, band", [(1.0, 0), (2.4, 0), (2.49, 0), (2.5, 1), (3.0, 1), (3.49, 1), (3.5, 2),
                                         (5.0, 2)])
def test_shame_bands_cut_at_two_and_a_half_and_three_and_a_half(score, band):
    assert shame_band(pd.Series([score])).iloc[0] == SHAME_BANDS[band]


def test_every_client_falls_in_exactly_one_band(raw):
    bands = shame_band(raw["shame_proneness"])
    assert bands.notna().all()
    assert list(bands.cat.categories) == SHAME_BANDS and bands.cat.ordered


def test_client_table_has_one_row_per_client_with_their_sessions_held_back(ds, raw):
    per = client_table(ds).set_index("client_id")
    by_hand = raw.groupby("client_id")["held_back"].sum()
    assert len(per) == raw["client_id"].nunique() == 200
    assert (per["sessions_held_back"] == by_hand.reindex(per.index)).all()
    assert (per["held_back_ever"] == (by_hand.reindex(per.index) > 0)).all()
    assert (per["shame_band"].astype(str) == raw.groupby("client_id")["shame_proneness"].first()
            .reindex(per.index).map(band_by_hand)).all()


def test_depth_by_response_matches_pandas_and_counts_every_session(ds, raw):
    table = depth_by_response(ds).set_index(["session", "response"])
    by_hand = raw.groupby(["session", "therapist_response"])["disclosure_depth"].agg(["mean", "size"])
    assert table["n"].sum() == len(raw) == 1600
    assert len(table) == len(by_hand) == 8 * 4
    for (session, response), row in by_hand.iterrows():
        assert table.loc[(session, response), "mean_depth"] == pytest.approx(row["mean"])
        assert table.loc[(session, response), "n"] == row["size"]


def test_depth_by_shame_matches_pandas(ds, raw):
    table = depth_by_shame(ds).set_index(["session", "shame_band"])
    by_hand = raw.assign(band=raw["shame_proneness"].map(band_by_hand)).groupby(["session", "band"])[
        "disclosure_depth"].mean()
    assert len(table) == len(by_hand) == 8 * 3
    for key, mean in by_hand.items():
        assert table.loc[key, "mean_depth"] == pytest.approx(mean)


def test_held_back_counts_cover_zero_to_eight_sessions_and_every_client(ds, raw):
    table = held_back_counts(ds).set_index("sessions_held_back")
    per_client = raw.groupby("client_id")["held_back"].sum()
    assert list(table.index) == list(range(9))
    assert table["clients"].sum() == 200
    for k in range(9):
        assert table.loc[k, "clients"] == (per_client == k).sum()
    assert table.loc[0, "group"] == "never held back" and set(table.loc[1:, "group"]) == {"held back at least once"}


# --- the charts: described, within the page, in the course's colours -----------------------------

@pytest.mark.parametrize("make", CHARTS)
def test_each_chart_builds_with_a_title_and_a_description(ds, make):
    spec = spec_of(make(ds))
    assert spec["title"] and len(spec["description"]) > 80


@pytest.mark.parametrize("make", CHARTS)
def test_each_chart_fits_the_notebook_output_area(ds, make):
    """Rendered with the course theme, the whole chart (axes, titles, legend) is at most 520 px wide."""
    svg = vl_convert.vegalite_to_svg(spec_of(make(ds)))
    width = float(re.search(r'<svg[^>]*\bwidth="([\d.]+)"', svg).group(1))
    assert width <= MAX_WIDTH, f"{make.__name__} is {width:.0f} px wide"


@pytest.mark.parametrize("make", CHARTS)
def test_legends_sit_below_the_chart(ds, make):
    """Checked on the compiled Vega spec: the legends that are really drawn, wherever they came from."""
    legends = vl_convert.vegalite_to_vega(spec_of(make(ds))).get("legends", [])
    assert legends and all(legend.get("orient") == "bottom" for legend in legends)




@pytest.mark.parametrize("make", CHARTS)
def test_colours_come_from_the_theme_and_text_takes_the_page_colour(ds, make):
    spec = spec_of(make(ds))
    spec.pop("config", None)  # the theme itself
    assert all(value == INK for _, value in colours(spec)), colours(spec)


# --- the takeaways: computed from the data, and honest about what the data are -----------------

@pytest.mark.parametrize("make", CHARTS)
def test_every_takeaway_says_the_pattern_is_illustrative_and_claims_no_finding(ds, make):
    text = takeaway_of(make(ds))
    assert "illustrat" in text
    assert "not a research finding" in text or "not built to match" in text
    assert not re.search(r"research (shows|has shown|proves)|studies (show|prove)", text, re.I)


def test_the_data_package_still_calibrates_nothing_so_illustrative_is_true():
    package = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in package["resources"] if r["name"] == "disclosure_sessions")
    assert resource["calibration"] == [], "the data are now calibrated: the takeaways must say what is"
    assert all(field["provenance"] == "illustrative" for field in resource["schema"]["fields"])


@pytest.mark.parametrize("clients", [200, 80])
def test_the_response_takeaway_reports_session_8_as_pandas_computes_it(raw, clients):
    """On the full data and on a subset: the numbers follow the data, they are not written in."""
    subset = raw[raw["client_id"].isin(sorted(raw["client_id"].unique())[:clients])]
    last = subset[subset["session"] == 8].groupby("therapist_response")["disclosure_depth"].mean()
    text = takeaway_of(depth_by_response_chart(subset))
    assert (f"averages {last['validating']:.1f} in sessions where the counselor validated against "
            f"{last['minimizing']:.1f} where they minimized") in text


def test_the_response_chart_claims_hold_in_the_data(raw):
    """'deepens under every kind of response' and 'validating highest, minimizing lowest at session 8'."""
    means = raw.groupby(["therapist_response", "session"])["disclosure_depth"].mean().unstack()
    assert (means[8] > means[1]).all()
    assert means[8].idxmax() == "validating" and means[8].idxmin() == "minimizing"
    description = spec_of(depth_by_response_chart(raw))["description"]
    assert "the validating line is highest and the minimizing line lowest" in description


@pytest.mark.parametrize("clients", [200, 80])
def test_the_shame_takeaway_reports_start_and_end_of_both_outer_bands(raw, clients):
    subset = raw[raw["client_id"].isin(sorted(raw["client_id"].unique())[:clients])]
    bands = subset.assign(band=subset["shame_proneness"].map(band_by_hand))
    means = bands.groupby(["band", "session"])["disclosure_depth"].mean()
    low, high = SHAME_BANDS[0], SHAME_BANDS[-1]
    text = takeaway_of(depth_by_shame_chart(subset))
    assert f"from {means[(high, 1)]:.1f} to {means[(high, 8)]:.1f}" in text
    assert f"against {means[(low, 1)]:.1f} to {means[(low, 8)]:.1f} for the lower band" in text


def test_the_shame_chart_claim_holds_in_the_data(raw):
    """'higher in shame-proneness start shallower and deepen more slowly'."""
    bands = raw.assign(band=raw["shame_proneness"].map(band_by_hand))
    means = bands.groupby(["band", "session"])["disclosure_depth"].mean()
    low, high = SHAME_BANDS[0], SHAME_BANDS[-1]
    assert means[(high, 1)] < means[(low, 1)]
    assert means[(high, 8)] - means[(high, 1)] < means[(low, 8)] - means[(low, 1)]


@pytest.mark.parametrize("clients", [200, 80])
def test_the_held_back_takeaway_counts_clients_who_ever_held_back(raw, clients):
    subset = raw[raw["client_id"].isin(sorted(raw["client_id"].unique())[:clients])]
    ever = int(subset.groupby("client_id")["held_back"].any().sum())
    text = takeaway_of(held_back_chart(subset))
    assert text.startswith(f"{ever} of the {clients} synthetic clients ({ever / clients:.0%}) held something back")


def test_the_held_back_takeaway_keeps_the_research_figure_apart_from_the_data(ds):
    """S1 (93%, N = 547) measured lying: quoted exactly, and never as what these data show."""
    text = takeaway_of(held_back_chart(ds))
    assert "93% of 547 clients had lied to their therapist" in text and "Blanchard & Farber, 2016" in text
    assert "measured something different" in text and "not built to match it" in text


def test_the_module_exports_what_it_names():
    assert all(hasattr(disclosure, name) for name in disclosure.__all__)
