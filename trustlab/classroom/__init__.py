"""The instructors' side: a class debrief from the anonymous class files students hand in.

    python -m trustlab.classroom report class-files/ -o debrief.html

or, in a notebook (``instructors/class_debrief.ipynb``)::

    from trustlab.classroom import read_folder, debrief_html, modules_html
    folder = read_folder("class-files")

Rooms: :mod:`.classfiles` reads and checks the files (one per learner, the rest skipped with a
reason), :mod:`.tally` counts, :mod:`.report` turns counts into a page that never shows a count
under 3, :mod:`.simulate` makes a class of simulated learners to try it on.
"""

from trustlab.classroom.classfiles import ClassFile, Folder, Skipped, read_class_file, read_folder
from trustlab.classroom.report import count_text, debrief_html, modules_html, share_text

__all__ = ["read_folder", "read_class_file", "debrief_html", "modules_html", "count_text", "share_text",
           "ClassFile", "Folder", "Skipped"]
