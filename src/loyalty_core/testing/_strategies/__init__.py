"""The private submodules behind :mod:`loyalty_core.testing.strategies`; import from there.

- :mod:`~loyalty_core.testing._strategies.instants`: zones, DST transitions and instants.
- :mod:`~loyalty_core.testing._strategies.conditions`: profile schemas, profile data and
  JSON Logic rules over them.
- :mod:`~loyalty_core.testing._strategies.kinds`: one strategy per field kind of
  :mod:`loyalty_core._fields`, and the fields of a value class drawn from them.
- :mod:`~loyalty_core.testing._strategies.values`: the platform's values, profiles and
  policies, with the knobs and cross-field rules the kinds cannot know.
- :mod:`~loyalty_core.testing._strategies.payloads`: valid and near-valid API payloads.
"""
