"""The ``fake_provider`` pytest fixture: a started :class:`FakeProvider`, stopped after the test.

Use it by importing it into a test module (``from fakeprovider.fixtures import fake_provider``)
or, for the whole suite, with ``pytest_plugins = ["fakeprovider.fixtures"]`` in the root conftest.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fakeprovider import FakeProvider

TEST_KEY = "test-key-not-a-secret"


@pytest.fixture
def fake_provider() -> Iterator[FakeProvider]:
    """A fake provider on 127.0.0.1 requiring ``TEST_KEY``; stopped (hangs ended) at teardown."""
    server = FakeProvider(api_key=TEST_KEY, max_lifetime=120.0)
    with server:
        yield server
