# ruff: noqa: F401  (fixtures shared with the caiq and API suites)
import pytest

from tests.api.conftest import _fresh_throttle, api_as
from tests.caiq.conftest import admin_membership, small_catalog, small_questionnaire

from .receiver import Receiver, start


@pytest.fixture
def receiver():
    receiver = Receiver()
    server = start(receiver)
    yield receiver
    server.shutdown()
    server.server_close()
