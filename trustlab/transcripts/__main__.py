from trustlab.commandline import run
from trustlab.transcripts.cli import main

run(main)
