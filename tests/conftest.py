"""Test-wide settings."""

import os

from hypothesis import settings

# CI runs a fixed, reproducible set of property examples; a developer's run explores new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
