"""Test-wide set-up: pin the tz database to the ``tzdata`` package.

Results must not depend on the machine's zone files, so zoneinfo is told to ignore the system
tz path and read the ``tzdata`` package that loyalty_core depends on.
"""

import zoneinfo

import hypothesis

zoneinfo.reset_tzpath(to=[])
zoneinfo.ZoneInfo.clear_cache()

hypothesis.settings.register_profile("ci", deadline=None, print_blob=True)
# The long fuzz run (`.ci/run`): 10,000 examples for every target that does not fix its own
# budget; `--hypothesis-profile=fuzz` selects it.
hypothesis.settings.register_profile(
    "fuzz", parent=hypothesis.settings.get_profile("ci"), max_examples=10_000
)
hypothesis.settings.load_profile("ci")
