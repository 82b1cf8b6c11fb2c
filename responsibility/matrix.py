"""The customer responsibility matrix of a questionnaire, as plain data: every question whose
SSRM owner involves the customer (CSC-owned, or shared between provider and customer), with
the customer's responsibilities and the provider's implementation, grouped by CCM domain in
the catalog's order. Pure: the selector reads the rows, the writers lay them out."""

from dataclasses import dataclass, field

# CAIQ's SSRM values that put work on the cloud service customer (docs/caiq-format.md).
CUSTOMER_OWNERS = ("CSC-owned", "Shared CSP and CSC")
EMPTY_MESSAGE = (
    "No answer of this questionnaire gives the customer a responsibility: none is "
    "CSC-owned or shared between the provider and the customer."
)


@dataclass(frozen=True)
class Row:
    """One question the customer has a part in."""

    domain: str
    domain_title: str
    control: str
    control_title: str
    code: str
    question: str
    answer: str
    ssrm: str
    csc_responsibilities: str
    implementation: str


@dataclass
class Domain:
    code: str
    title: str
    rows: list[Row] = field(default_factory=list)


def by_domain(rows: list[Row]) -> list[Domain]:
    """``rows`` (in question order) grouped by domain, in the order the domains first appear."""
    domains: dict[str, Domain] = {}
    for row in rows:
        domains.setdefault(row.domain, Domain(row.domain, row.domain_title)).rows.append(row)
    return list(domains.values())
