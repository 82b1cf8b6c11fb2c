"""Catalog API: any authenticated caller reads the loaded versions, domains, controls, questions."""

import pytest

pytestmark = pytest.mark.django_db


def results(response) -> list[dict]:
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def test_versions_come_with_their_counts(api_as, team, sample_catalog, small_catalog):
    versions = results(api_as(team.viewer, "read").get("/api/v1/catalog/versions/"))

    counts = {
        v["caiq_version"]: (v["domain_count"], v["control_count"], v["question_count"])
        for v in versions
    }
    assert counts["9.0.0"] == (3, 4, 10)
    assert counts["4.0.3"][2] == 261
    assert counts["4.0.3"][0] == 17


def test_questions_filter_by_version_domain_and_control(
    api_as, team, sample_catalog, small_catalog
):
    client = api_as(team.viewer, "read")

    in_small = results(client.get("/api/v1/catalog/questions/", {"version": "9.0.0"}))
    ais = results(client.get("/api/v1/catalog/questions/", {"version": "9.0.0", "domain": "AIS"}))
    ais_01 = results(client.get("/api/v1/catalog/questions/", {"control": "AIS-01"}))

    assert [q["code"] for q in in_small][:3] == ["A&A-01.1", "A&A-01.2", "A&A-01.3"]
    assert len(in_small) == 10
    assert [q["code"] for q in ais] == ["AIS-01.1", "AIS-01.2", "AIS-02.1"]
    assert {(q["version"], q["code"]) for q in ais_01} >= {("9.0.0", "AIS-01.1")}
    assert all(q["control"] == "AIS-01" and q["domain"] == "AIS" for q in ais_01)


def test_domains_and_controls_filter_by_version_and_domain(api_as, team, small_catalog):
    client = api_as(team.viewer, "read")

    domains = results(client.get("/api/v1/catalog/domains/", {"version": "9.0.0"}))
    controls = results(client.get("/api/v1/catalog/controls/", {"domain": "AIS"}))

    assert [(d["code"], d["title"]) for d in domains] == [
        ("A&A", "Audit & Assurance"),
        ("AIS", "Application & Interface Security"),
        ("BCR", "Business Continuity"),
    ]
    assert [c["code"] for c in controls] == ["AIS-01", "AIS-02"]


def test_an_unknown_version_filters_to_nothing(api_as, team, small_catalog):
    assert results(api_as(team.viewer, "read").get("/api/v1/catalog/questions/?version=1")) == []


def test_the_catalog_needs_a_token_or_a_session(api_client, small_catalog):
    response = api_client.get("/api/v1/catalog/versions/")

    assert response.status_code == 401
    assert response.json()["error"]["status"] == 401
