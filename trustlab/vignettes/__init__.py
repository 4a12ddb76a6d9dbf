"""Branching vignettes: YAML files instructors write, a checker, an engine and a player.

    from trustlab.vignettes import play
    play("first_contact")
"""

from pathlib import PurePath

from trustlab.vignettes.model import ChoiceError, Run, Vignette, VignetteError, all_paths
from trustlab.vignettes.validate import load_vignette

__all__ = ["Vignette", "Run", "VignetteError", "ChoiceError", "load_vignette", "all_paths", "play"]


def play(vignette, on_choice=None):
    """Show the player widget for a vignette (an id such as ``"first_contact"``, a path or a Vignette),
    or for a series of sessions (an id such as ``"five_sessions"``: data/vignettes/series/<id>.yaml)."""
    from trustlab.vignettes.series import series_path

    series = series_path(vignette) if isinstance(vignette, (str, PurePath)) else None
    if series:
        return _play_series(series)
    from trustlab.vignettes.player import play as _play

    return _play(vignette, on_choice=on_choice)


def _play_series(path):
    from trustlab.notices import load_failure
    from trustlab.vignettes.series import load_series
    from trustlab.vignettes.series_player import play_series

    try:
        series = load_series(path)
    except (VignetteError, OSError) as err:
        return load_failure("This series of sessions", err)
    return play_series(series)
