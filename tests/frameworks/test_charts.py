"""The gap analysis page's charts show the analysis' own numbers."""

import pytest
from django.urls import reverse

from frameworks.models import Framework
from frameworks.services import ccm_import
from tests.caiq.test_charts import table_rows

from .ccm_workbook import ccm_bytes
from .test_gap_analysis import ISO, OTHER, ROWS, answer

pytestmark = pytest.mark.django_db


def test_coverage_is_charted_per_domain_and_per_framework(client, team, small_questionnaire):
    ccm_import(data=ccm_bytes([ISO, OTHER], ROWS), filename="ccm.xlsx")
    answer(small_questionnaire, "A&A-01", "Yes")
    answer(small_questionnaire, "AIS-01", "Yes")
    client.force_login(team.viewer)
    iso = Framework.objects.get(name=ISO)

    page = client.get(
        reverse("frameworks:gap_analysis", args=[small_questionnaire.pk]), {"framework": iso.pk}
    ).text

    # Covered, uncovered, total: A.5.35 (A&A-01, AIS-01) is covered; 5.1 (AIS-02) and A.5.36
    # (BCR-01) are not. A requirement counts in each domain its controls belong to.
    assert table_rows(page, "coverage-by-domain") == {
        "A&amp;A": ["1", "0", "1"],
        "AIS": ["1", "1", "2"],
        "BCR": ["0", "1", "1"],
    }
    # The other framework maps nothing here ("No Mapping" everywhere): no requirements.
    assert table_rows(page, "coverage-by-framework") == {
        "ISO/IEC 27001:2022, 27002:2022": ["1", "2", "3"],
        OTHER: ["0", "0", "0"],
    }
