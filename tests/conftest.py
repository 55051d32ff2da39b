"""Hypothesis profiles for the property-based tests of ``tests/test_properties_*.py``.

``ci`` (the default) keeps the test command within its time budget; ``thorough`` is for a
deliberate hunt (``HYPOTHESIS_PROFILE=thorough python -m pytest tests/
-k properties --hypothesis-show-statistics``), whose per-test case counts are the numbers
quoted in docs/bad-input-and-memory.md. Both derandomise: a CI run tries the same cases on
every machine, so a failure is reproducible and never a matter of luck.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = dict(deadline=None, derandomize=True, print_blob=True,
               suppress_health_check=(HealthCheck.too_slow, HealthCheck.data_too_large,
                                      HealthCheck.function_scoped_fixture))
settings.register_profile("ci", max_examples=30, **_COMMON)
settings.register_profile("thorough", max_examples=400, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
