"""Grouping the readiness findings for its page: plain data in, plain data out."""

from caiq.readiness import Finding, group_findings

TITLES = {"A&A": "Audit & Assurance", "AIS": "Application & Interface Security", "BCR": "BC"}


def finding(kind: str, question: str = "", answer_id: int | None = None) -> Finding:
    return Finding(kind, f"{kind} message", question, answer_id)


FINDINGS = [
    finding("unanswered", "A&A-01.1", 1),
    finding("unanswered", "A&A-01.2", 2),
    finding("ssrm_missing", "AIS-02.1", 6),
    finding("evidence_expired", "AIS-02.1", 6),
    finding("na_unexplained", "BCR-01.4", 10),
    finding("unanswered", "BCR-01.1", 7),
    finding("template"),
]


def test_it_counts_each_kind_once_per_finding_in_a_fixed_order():
    grouped = group_findings(FINDINGS, TITLES)

    assert [(k.kind, k.count) for k in grouped.by_kind] == [
        ("unanswered", 3),
        ("na_unexplained", 1),
        ("ssrm_missing", 1),
        ("evidence_expired", 1),
    ]


def test_a_kind_links_to_the_fill_page_filter_that_shows_it_when_there_is_one():
    shows = {k.kind: k.show for k in group_findings(FINDINGS, TITLES).by_kind}

    assert shows == {
        "unanswered": "unanswered",
        "na_unexplained": "na_unexplained",
        "ssrm_missing": "",
        "evidence_expired": "expired_evidence",
    }


def test_domains_come_in_catalog_order_with_their_titles_counts_and_kinds():
    titles = {"BCR": "Business Continuity", "A&A": "Audit & Assurance", "AIS": "App security"}

    by_domain = group_findings(FINDINGS, titles).by_domain

    assert [(d.code, d.title, d.count) for d in by_domain] == [
        ("BCR", "Business Continuity", 2),
        ("A&A", "Audit & Assurance", 2),
        ("AIS", "App security", 2),
    ]
    assert [(k.kind, k.count) for k in by_domain[0].kinds] == [
        ("unanswered", 1),
        ("na_unexplained", 1),
    ]
    assert [f.question for f in by_domain[0].findings] == ["BCR-01.4", "BCR-01.1"]


def test_a_domain_without_findings_is_left_out():
    by_domain = group_findings(FINDINGS[:2], TITLES).by_domain

    assert [d.code for d in by_domain] == ["A&A"]


def test_a_finding_of_no_question_stands_apart_and_is_counted_in_no_group():
    grouped = group_findings([finding("template")], TITLES)

    assert grouped.general == [finding("template")]
    assert grouped.by_kind == []
    assert grouped.by_domain == []


def test_a_domain_missing_from_the_titles_is_still_listed_last():
    grouped = group_findings([finding("unanswered", "ZZZ-01.1", 9), *FINDINGS[:1]], TITLES)

    assert [(d.code, d.title) for d in grouped.by_domain] == [
        ("A&A", "Audit & Assurance"),
        ("ZZZ", ""),
    ]


def test_nothing_to_fix_groups_to_nothing():
    grouped = group_findings([], TITLES)

    assert (grouped.by_kind, grouped.by_domain, grouped.general) == ([], [], [])
