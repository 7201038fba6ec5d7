"""Tests of reconciliation (a package, so that its conftest is not taken for
tests/conftest.py, which other tests import by name)."""
