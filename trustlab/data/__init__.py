"""The course's synthetic datasets: generate, check and load them.

    from trustlab.data import load_dataset
    sessions = load_dataset("first_sessions")

``python -m trustlab.data build`` regenerates the CSVs in data/ (seeded: byte-identical
every time); ``python -m trustlab.data check`` validates them against
data/datapackage.json and against a fresh regeneration.
"""

from trustlab.data.load import DataError, load_dataset

__all__ = ["load_dataset", "DataError"]
