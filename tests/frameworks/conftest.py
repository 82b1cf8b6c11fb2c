# ruff: noqa: F401  (fixtures shared with the caiq suite)
from tests.caiq.conftest import admin_membership, small_catalog, small_questionnaire
