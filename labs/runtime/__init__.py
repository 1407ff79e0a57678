"""The local runtime: what moto only records, done for real.

Installed by ``labs.start()`` in local mode. Training jobs run the built-in algorithm
stand-ins of :mod:`labs.algorithms` (or the learner's script) in the background and
report their progress through the ordinary SageMaker API.
"""

from labs.runtime.moto_sagemaker import install, uninstall

__all__ = ["install", "uninstall"]
