from trustlab.classroom.cli import main
from trustlab.commandline import run

run(main)
