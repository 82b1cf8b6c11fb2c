from tests.caiq.conftest import (  # noqa: F401  (fixtures)
    admin_membership,
    small_catalog,
    small_questionnaire,
)
