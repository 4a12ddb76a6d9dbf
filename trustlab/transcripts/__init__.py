"""Transcripts to mark: YAML files instructors write, a checker, scoring and a widget.

    from trustlab import mark
    mark("behind_on_rent")

The learner marks the lines where something happens (in module 02, a counselor's line
that leaks judgment and a client's line that signals shame), checks their marks, and
reads feedback on every line they marked or missed.
"""

from trustlab.transcripts.model import (LineResult, MarkError, Score, Transcript, TranscriptError,
                                        normalize_marks, score)
from trustlab.transcripts.validate import load_transcript

__all__ = ["Transcript", "TranscriptError", "MarkError", "LineResult", "Score", "load_transcript",
           "normalize_marks", "score", "mark"]


def mark(transcript, on_check=None):
    """Show the marking widget for a transcript (an id such as ``"behind_on_rent"``, a path or a Transcript)."""
    from trustlab.transcripts.widget import mark as _mark

    return _mark(transcript, on_check=on_check)
