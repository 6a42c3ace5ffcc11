"""lstm_course: the course built on ``lstm_ref``.

- ``feedback``: the checks the notebooks' test cells call, which say what a learner's answer got wrong;
- ``viz``: the plots and widgets that show the gates, the gradients and training at work;
- ``grading``: what an instructor grades with: hidden checks in a fresh process, the resource-limited grading
  kernel, the integrity report and class grading.

``lstm_ref`` is the reference these are checked against and knows nothing of them.
"""

from ._environment import use_one_blas_thread

# Set once for every notebook, kernel and script of the course, so no learner's cell has to.
use_one_blas_thread()
