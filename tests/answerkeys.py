"""What every module's answer-key tests assert about a number item, in one place.

Each module's test file recomputes its answers and mistakes from the CSVs its own way; the
verdicts those numbers must get are the same in every module, so they live here.
"""

from __future__ import annotations

import pytest

from trustlab.checks import Status, evaluate


def assert_right(key: str, item: dict, value: float) -> None:
    """The recomputed answer is the key's answer, and check() calls it correct."""
    assert value == pytest.approx(item["answer"], abs=1e-4), key
    assert evaluate(key, value).status is Status.CORRECT, key


def assert_mistakes_diagnosed(key: str, item: dict, values: list[float]) -> None:
    """Every recomputed mistake gets its own listed diagnosis, and every listed one is recomputed."""
    diagnosed = []
    for value in values:
        feedback = evaluate(key, value)
        assert feedback.status is Status.NOT_YET, (key, value)
        match = [m for m in item["mistakes"] if m["feedback"] == feedback.message]
        assert match, f"{key}: {value:.4f} gets no diagnosis of its own: {feedback.message}"
        diagnosed.append(match[0]["value"])
    assert sorted(diagnosed) == sorted(m["value"] for m in item["mistakes"]), (
        f"{key}: a listed mistake is not recomputed here")


def assert_bands_apart(key: str, item: dict) -> None:
    """A hint and an explanation, and no answer band overlapping a mistake's band."""
    assert item["hint"].strip() and item["explanation"].strip()
    bands = [(item["answer"], item["tolerance"])] + [(m["value"], m.get("tolerance", item["tolerance"]))
                                                     for m in item["mistakes"]]
    for i, (a, ta) in enumerate(bands):
        for b, tb in bands[i + 1:]:
            assert abs(a - b) > ta + tb, f"{key}: the bands around {a} and {b} overlap"
