# ruff: noqa: F401  (fixtures shared with the caiq and API suites)
from tests.api.conftest import _fresh_throttle, api_as
from tests.caiq.conftest import admin_membership, small_catalog, small_questionnaire
