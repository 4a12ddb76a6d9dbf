"""Branching vignettes: YAML files instructors write, a checker, an engine and a player.

    from trustlab.vignettes import play
    play("first_contact")
"""

from trustlab.vignettes.model import ChoiceError, Run, Vignette, VignetteError, all_paths
from trustlab.vignettes.validate import load_vignette

__all__ = ["Vignette", "Run", "VignetteError", "ChoiceError", "load_vignette", "all_paths", "play"]


def play(vignette, on_choice=None):
    """Show the player widget for a vignette (an id such as ``"first_contact"``, a path or a Vignette)."""
    from trustlab.vignettes.player import play as _play

    return _play(vignette, on_choice=on_choice)
