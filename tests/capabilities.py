"""What a test needs from the machine, and what happens when it is missing.

On a developer's machine a missing capability skips the test, with the reason.  On CI
(``CI=true``, as ``.ci/run`` is run) it fails: CI installs the browser and runs as root, so
a missing browser or sandbox there means the test did not run, and CI must not be green.
"""
import os

import pytest

ON_CI = os.environ.get("CI", "").lower() == "true"


def require(available: bool, what: str, reason: str, module_level: bool = False):
    """Skip (developer's machine) or fail (CI) unless ``available``."""
    if available:
        return
    if ON_CI:
        pytest.fail(f"CI must have {what}, and it is missing: {reason}", pytrace=False)
    pytest.skip(f"{what} is missing: {reason}", allow_module_level=module_level)


def promised_sandbox() -> str:
    """The sandbox mode the README promises on this machine: ``root`` for a grader running as
    root, ``userns`` for an ordinary user (where unprivileged user namespaces exist)."""
    return "root" if os.geteuid() == 0 else "userns"
