"""The 'what does r = .28 look like' explorer shows exactly the correlation it claims."""

from __future__ import annotations

import numpy as np
import pytest

from trustlab.correlation import A1_R, CorrelationExplorer, besd, besd_text, correlated_sample, correlation_chart


@pytest.mark.parametrize("r", [0.0, 0.1, A1_R, 0.5, 0.9, -0.3])
def test_synthetic_clients_correlate_at_exactly_r(r):
    sample = correlated_sample(r, n=100, seed=3)
    assert len(sample) == 100
    assert sample["alliance"].corr(sample["outcome"]) == pytest.approx(r, abs=1e-9)


def test_samples_are_reproducible():
    assert correlated_sample(0.3, seed=1).equals(correlated_sample(0.3, seed=1))
    assert not correlated_sample(0.3, seed=1).equals(correlated_sample(0.3, seed=2))


def test_r_out_of_range_is_refused():
    with pytest.raises(ValueError, match="between -1 and 1"):
        correlated_sample(1.5)


def test_besd_for_the_a1_figure_is_64_versus_36():
    high, low = besd(0.278)
    assert round(high) == 64 and round(low) == 36
    assert high + low == pytest.approx(100)


def test_takeaway_quotes_the_besd_and_warns_about_causation():
    text = besd_text(0.278)
    assert "64%" in text and "36%" in text and "not that one causes the other" in text


def test_chart_has_a_description_and_the_r_parameter():
    spec = correlation_chart(0.3).to_dict()
    assert spec["description"].startswith("Scatter plot of 100 synthetic clients")
    assert {"name": "r", "value": 0.3} in spec["params"]


def test_the_chart_computes_the_same_outcome_as_the_python_sample():
    """The scatter recomputes outcome from its r parameter in the browser; check the formula matches."""
    spec = correlation_chart(0.4, seed=0).to_dict()
    expr = next(t["calculate"] for layer in spec["layer"] for t in layer.get("transform", []) if t["as"] == "outcome")
    rows = spec["datasets"][next(iter(spec["datasets"]))]
    r = 0.4
    computed = [eval(expr.replace("datum.", "").replace("sqrt", "np.sqrt"), {"np": np, "r": r, **row}) for row in rows]
    assert np.allclose(computed, correlated_sample(r, seed=0)["outcome"])


def test_moving_the_slider_updates_the_chart_parameter_and_the_text():
    explorer = CorrelationExplorer(r=0.28)
    explorer._slider.value = 0.6
    assert explorer._chart.params.r == 0.6
    assert "80%" in explorer._text.value and "20%" in explorer._text.value


def test_the_slider_is_a_labelled_native_range_that_announces_the_value_shown():
    """axe-core found an unnamed slider announcing 0.3 while 0.28 was shown."""
    from trustlab.controls import RangeInput
    explorer = CorrelationExplorer(0.28)
    slider = explorer._slider
    assert isinstance(slider, RangeInput) and slider.label == "Correlation r"
    assert slider.digits == 2 and slider.step == 0.01   # shown and announced as 0.28, not 0.3
    assert 'type: "range"' in slider._esm and "label.htmlFor = id" in slider._esm
    slider.value = 5
    assert slider.value == 0.9    # clamped to what the slider can show
