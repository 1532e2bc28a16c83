"""Shared test settings: a hypothesis profile sized for CI's two cores."""

import os
import threading

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=25, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=15, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")


# Some tests skip on a developer's machine without an optional dependency. In CI every one of
# them is part of the contract (pyproject's dev extra and .ci/run install them), so a missing
# one must stop the run instead of quietly skipping tests.
CI_REQUIREMENTS = ["sympy", "torch", "hypothesis", "sklearn", "matplotlib", "tqdm", "playwright.sync_api"]


def pytest_sessionstart(session):
    if not os.environ.get("CI"):
        return
    import importlib
    import shutil

    missing = []
    for module in CI_REQUIREMENTS:
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(module)
    if not (shutil.which("chromium") or os.path.exists("/usr/bin/chromium")):
        missing.append("chromium (Debian package)")
    if missing:
        raise RuntimeError(f"CI is missing test dependencies: {', '.join(missing)}; "
                           "install with pip install -e '.[dev]' and apt-get install chromium")


@pytest.fixture(scope="module")
def server():
    """The web lab's server on an ephemeral loopback port, for one test module."""
    import importlib

    labmod = importlib.import_module("retrograd.learn.lab")  # the module; rg.learn.lab is a function
    srv = labmod.make_server("127.0.0.1", 0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(10)
