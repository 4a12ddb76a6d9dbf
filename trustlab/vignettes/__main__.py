from trustlab.commandline import run
from trustlab.vignettes.cli import main

run(main)
