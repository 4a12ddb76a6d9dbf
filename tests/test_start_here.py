"""Module 00's second chart, its data task, and what its text says about the research (issue 12)."""

from __future__ import annotations

import re

import altair as alt
import nbformat
import numpy as np
import pytest

from trustlab.checks import Status, evaluate, load_checks
from trustlab.correlation import besd_chart, besd_table, correlated_sample, correlation_chart
from trustlab.paths import course_root

LESSON = course_root() / "notebooks" / "00_start_here.ipynb"


@pytest.fixture(scope="module")
def cells():
    return nbformat.read(LESSON, as_version=4).cells


@pytest.fixture(scope="module")
def prose(cells) -> str:
    return "\n".join(c.source for c in cells if c.cell_type == "markdown")


# --- the second chart -----------------------------------------------------------------------

def test_the_besd_chart_builds_with_a_description_and_a_takeaway():
    figure = besd_chart()
    chart, takeaway = figure.children[0], figure.children[1].value
    assert isinstance(chart, alt.JupyterChart) and "trustlab-chart" in chart._dom_classes
    spec = chart.chart.to_dict()
    assert spec["description"].startswith("Line chart of the Binomial Effect Size Display")
    assert ".256 to .299" in spec["description"]
    # recomputed here from 50 ± 100·r/2 (Rosenthal & Rubin, 1982) at r = .278, .256 and .299
    assert "64%" in takeaway and "36%" in takeaway
    assert "63–65%" in takeaway and "35–37%" in takeaway and "[.256, .299]" in takeaway
    assert "modest" in takeaway and "moderate" not in takeaway


def test_the_chart_draws_both_halves_from_a_coin_toss_to_certainty():
    table = besd_table()
    wide = table.pivot(index="r", columns="half", values="percent")
    assert wide.loc[0.0].tolist() == [50.0, 50.0]
    assert wide.loc[1.0, "stronger alliance"] == 100 and wide.loc[1.0, "weaker alliance"] == 0
    gap = wide["stronger alliance"] - wide["weaker alliance"]
    assert np.allclose(gap, 100 * wide.index.to_numpy())


def test_the_shaded_band_is_the_confidence_interval_from_facts_md():
    spec = besd_chart().children[0].chart.to_dict()
    rows = [row for data in spec["datasets"].values() for row in data]
    assert {"low": 0.256, "high": 0.299} in rows


# --- the data task --------------------------------------------------------------------------

def test_the_data_task_answer_is_what_a_count_of_the_dots_gives():
    """Recounted here with numpy (rank the clients, take the top 50), not with the lesson's pandas code."""
    sample = correlated_sample(r=0.28)
    alliance, outcome = sample["alliance"].to_numpy(), sample["outcome"].to_numpy()
    top_half = np.argsort(alliance)[len(alliance) // 2:]
    counted = 100 * np.count_nonzero(outcome[top_half] > np.median(outcome)) / len(top_half)
    item = load_checks("m00")["items"]["lab_count"]
    assert counted == pytest.approx(item["answer"], abs=1e-9)
    assert evaluate("m00.lab_count", counted).status is Status.CORRECT
    assert evaluate("m00.lab_count", 64).status is Status.NOT_YET  # the BESD's figure is not the count


def test_the_lesson_cells_lead_to_the_answer(cells):
    """Run the lesson's own set-up cell, then the one line a learner writes."""
    setup = next(c.source for c in cells if c.cell_type == "code" and "median_outcome =" in c.source)
    namespace = {"correlated_sample": correlated_sample}
    exec(setup, namespace)
    exec('percent_better = (stronger["outcome"] > median_outcome).mean() * 100', namespace)
    assert evaluate("m00.lab_count", namespace["percent_better"]).status is Status.CORRECT


def test_the_counted_clients_are_the_ones_the_widget_drew():
    spec = correlation_chart(0.28).to_dict()
    drawn = [row["alliance"] for data in spec["datasets"].values() for row in data if "noise" in row]
    sample = correlated_sample(r=0.28)
    assert np.allclose(drawn, sample["alliance"])
    # the widget colours the halves at alliance > 0; for these clients that is the median split the lesson uses
    assert ((sample["alliance"] > 0) == (sample["alliance"] > sample["alliance"].median())).all()


def test_the_answer_is_not_printed_anywhere_the_learner_reads(prose):
    takeaway = besd_chart().children[1].value
    answer = load_checks("m00")["items"]["lab_count"]["answer"]
    for text in (prose, takeaway):
        assert not re.search(rf"\b{answer:g}\s*(%|percent)", text)


# --- what module 00 says about the research (items 6, 11, 12) ----------------------------------

QUOTE = "as much as, and probably more than, the particular treatment method"


def test_the_task_force_sentence_is_quoted_and_framed_as_expert_consensus(prose):
    places = [m.start() for m in re.finditer(re.escape(QUOTE), prose)]
    assert len(places) == 2, "the lesson and its key points"
    for at in places:
        assert prose[at - 1] in "“\"" and prose[at + len(QUOTE)] in "”\"", "quote marks around the sentence"
        assert "(Norcross & Lambert, 2018)" in prose[at: at + len(QUOTE) + 40]
    assert prose.count("expert consensus") >= 2


@pytest.mark.parametrize("cited, doi", [
    ("Rosenthal & Rubin, 1982", "10.1037/0022-0663.74.2.166"),
    ("Rosenzweig (1936", "10.1111/j.1939-0025.1936.tb05248.x"),
    ("Wampold, 2015", "10.1002/wps.20238"),
    ("Wierzbicki & Pekarik, 1993", "10.1037/0735-7028.24.2.190"),
])
def test_besd_common_factors_and_the_older_dropout_figure_are_cited_with_dois(prose, cited, doi):
    assert cited in prose and f"https://doi.org/{doi}" in prose


def test_the_older_dropout_figure_is_explained_not_called_outdated(prose):
    checks = (course_root() / "data" / "checks" / "m00.yaml").read_text(encoding="utf-8")
    assert "outdated" not in prose.lower() and "how dropout was defined" in prose
    assert "Wierzbicki & Pekarik" in checks


def test_r_278_has_one_word_in_the_lesson_and_its_checks(prose):
    checks = (course_root() / "data" / "checks" / "m00.yaml").read_text(encoding="utf-8")
    for text in (prose, checks):
        assert "modest" in text and not re.search(r"\bmoderate", text, re.IGNORECASE)
