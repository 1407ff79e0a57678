"""The kit on a learner's own AWS account (aws mode).

- :mod:`labs.aws.session`: credentials, region and account, with a clear next step when
  any is missing.
- :mod:`labs.aws.stack`: the CloudFormation stack of ``infra/`` (``labs aws setup``,
  ``status``, ``teardown``).
- :mod:`labs.aws.tags`: the ``labs:kit`` and ``labs:notebook`` tags every kit resource
  carries.
- :mod:`labs.aws.cleanup`: finds kit-tagged SageMaker resources that cost money and
  deletes or stops them (``labs cleanup``, ``lab.cleanup()``).
- :mod:`labs.aws.prices` and :mod:`labs.aws.cost_guard`: the shipped price table and the
  estimate-then-confirm step before anything billable (``lab.confirm_cost``).
- :mod:`labs.aws.preflight`: the account checks of ``labs doctor --aws``.
- :mod:`labs.aws.prompt`: the yes/no questions, answerable on stdin or with
  ``LABS_ASSUME_YES=1``.
"""
