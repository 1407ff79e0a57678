"""The lab kit for the AWS Machine Learning Specialty and ML Engineer Associate exams.

The first code cell of every notebook is::

    import labs
    lab = labs.start()

which starts the local AWS (or connects to a real account with ``LABS_MODE=aws``) and
returns a :class:`labs.lab.Lab`.
"""

from labs import data
from labs.errors import LabsError
from labs.lab import Lab, current, start

__all__ = ["Lab", "LabsError", "current", "data", "start"]
