"""What the course's command-line tools share."""

from __future__ import annotations

import signal
import sys
from typing import Callable


def run(main: Callable[[], int]) -> None:
    """Exit with ``main()``'s status; ``... | head`` stops quietly instead of with a traceback."""
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())
