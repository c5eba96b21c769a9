"""A testing toolkit for services that use loyalty_core as their reference implementation.

Install it with the ``testing`` extra (``pip install loyalty_core[testing]``), which pulls in
`hypothesis <https://hypothesis.readthedocs.io>`_. The toolkit lives in submodules, imported
on demand, so that ``import loyalty_core`` (and this package) never imports hypothesis:

- :mod:`loyalty_core.testing.strategies`: hypothesis strategies for every platform value
  (definitions, instances, profiles, policies), for API payloads (valid ones, and near-valid
  invalid ones paired with the JSON path of the field that breaks them), for JSON Logic
  conditions over a profile schema with matching profile data, and for zones and instants that
  concentrate on DST transitions, month ends and window boundaries. Every value they generate
  is one the library accepts, unless a strategy is asked for invalid input.
- :mod:`loyalty_core.testing.model`: a reference model of the platform's state and a
  hypothesis state machine that checks a real system against it.
"""
