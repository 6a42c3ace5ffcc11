"""nbgrader configuration for the course, read by every `nbgrader` command run from the repository root.

Layout: instructor notebooks live in `solutions/` (nbgrader's "source"), the generated student notebooks in
`notebooks/` (nbgrader's "release"). Grading settings are explained beside each line.
"""

import os

c = get_config()  # noqa: F821 -- provided by nbgrader when it loads this file

HERE = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.root = HERE
c.CourseDirectory.course_id = "lstm-course"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"

# What a learner sees in place of a solution region.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# The course's training cells take a few seconds; nbgrader's default 30 s per cell would be tight on a
# loaded grading machine, and an unbounded one would let a runaway submission hold up the class.
c.ExecutePreprocessor.timeout = 120
