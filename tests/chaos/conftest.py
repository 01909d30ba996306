"""Chaos tests run real server processes on a database of their own (see server.py): they
opt out of the root conftest's rollback (`committing`) and override `app`, so they neither
use nor build the suite's in-process app."""
import pytest


@pytest.fixture(autouse=True)
def committing():
    """Opt out of the root conftest's rollback: the server's commits are real."""
    yield


@pytest.fixture(scope="session")
def app():
    """No in-process app here (overrides the root `app`)."""
    return
