import signal
import sys

from trustlab.vignettes.cli import main

# `python -m trustlab.vignettes paths FILE | head` should stop quietly, not print a traceback.
if hasattr(signal, "SIGPIPE"):
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
sys.exit(main())
