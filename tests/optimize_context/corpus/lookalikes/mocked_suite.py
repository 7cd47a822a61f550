"""A test module shape: fixtures returning mocks; the only real call is marked."""

from __future__ import annotations

from unittest import mock

import pytest
from anthropic import Anthropic


@pytest.fixture
def llm() -> mock.MagicMock:
    client = mock.create_autospec(Anthropic, instance=True)
    client.messages.create.return_value = mock.MagicMock(content=[])
    return client


def check_summary(llm: mock.MagicMock) -> None:
    llm.messages.create(model="claude-sonnet-4-5", max_tokens=5, messages=[])
    llm.messages.create.assert_called_once()


def check_live() -> None:
    real = Anthropic(timeout=5)
    real.messages.create(  # expect: anthropic.messages.create
        model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": "ping"}]
    )
