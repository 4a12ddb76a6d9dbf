from trustlab.commandline import run
from trustlab.data.cli import main

run(main)
