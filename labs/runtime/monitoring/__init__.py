"""The kit's local stand-in for SageMaker Model Monitor's data-quality monitoring.

moto has no monitoring schedules or processing-based monitors, so this package does in
the notebook what the managed service does in processing jobs, with the same concepts and
the same file formats (SageMaker Developer Guide, Model Monitor):

- :func:`suggest_baseline` is the baselining job (``DefaultModelMonitor.suggest_baseline``):
  a training dataset in, ``statistics.json`` and ``constraints.json`` out.
- :func:`run_monitoring` is one execution of a data-quality job definition: captured
  endpoint input in, ``statistics.json`` and ``constraint_violations.json`` out, with the
  documented check types (``data_type_check``, ``completeness_check``,
  ``baseline_drift_check``, ``missing_column_check``, ``extra_column_check``,
  ``categorical_values_check``).

How it differs from the service: exact statistics instead of KLL sketches, CSV endpoint
input only, LInfinity categorical drift only, and a sampling allowance in the Robust
completeness check. Each module says where it departs. :mod:`.scheduled` runs one
execution of a monitoring schedule (what :mod:`labs.runtime.moto_monitoring` starts for a
``NOW`` schedule) and publishes its CloudWatch metrics.

A lab uses it like this::

    baseline = suggest_baseline(train_features, output_s3_uri=f"s3://{bucket}/baseline")
    report = run_monitoring(read_captures(s3, capture_uri), baseline)
    report.ok, report.violations, report.plot()
"""

from labs.runtime.monitoring.baseline import Baseline, suggest_baseline
from labs.runtime.monitoring.errors import MonitoringError
from labs.runtime.monitoring.execution import run_monitoring
from labs.runtime.monitoring.report import MonitoringReport

__all__ = ["Baseline", "MonitoringError", "MonitoringReport", "run_monitoring", "suggest_baseline"]
