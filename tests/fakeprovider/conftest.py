"""Registers the ``fake_provider`` fixture for the server's own tests."""

from __future__ import annotations

from fakeprovider.fixtures import fake_provider

__all__ = ["fake_provider"]
