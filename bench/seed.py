"""Realistic volume for load tests and the scale benchmark (``bench/seed_volume.py``).

Grows one organisation to N questionnaires of 261 answers each, with members, history,
comments and an evidence library linked to about a fifth of the answers. The rows are written
with ``bulk_create`` in batches, each batch in one transaction, because going through the
answer services (one transaction and one history row per save) would take an hour for 1,000
questionnaires. What the services guarantee still holds for the seeded rows: values from CSA's
lists, approved and ready answers complete, one history row per revision, tenancy.

Incremental and idempotent: the organisation, its members, the sample catalog and the evidence
library are created when missing, and questionnaires are added until the organisation has N.
Questionnaire number i is built from a random generator seeded by (slug, i), so growing from
10 to 1,000 gives the same first 10 as seeding 1,000 at once.
"""

from __future__ import annotations

import datetime
import hashlib
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import Membership, Organization, Role, User
from caiq.models import (
    Answer,
    AnswerChange,
    CatalogVersion,
    ChangeSource,
    Comment,
    CspAnswer,
    Question,
    Questionnaire,
    QuestionnaireStatus,
    ReviewStatus,
    SsrmOwnership,
)
from evidence.models import Evidence, EvidenceKind, EvidenceLink, EvidenceVersion, StoredFile
from evidence.storage import evidence_storage, new_storage_name

DEFAULT_MEMBERS = 60
DEFAULT_PASSWORD = "scale-password-1"  # noqa: S105 - printed for load tests on purpose
QUESTIONNAIRES_PER_TRANSACTION = 20
ROWS_PER_INSERT = 2000
EVIDENCE_ITEMS = 300
STORED_FILES = 40
LINKED_SHARE = 0.2  # of all answers

SERVICES = [
    "Object Storage", "Managed Kubernetes", "Block Storage", "Serverless Functions",
    "Managed PostgreSQL", "Identity Platform", "Content Delivery", "Message Queue",
    "Data Warehouse", "Virtual Machines", "Key Management", "Log Analytics",
    "API Gateway", "Backup Service", "Email Delivery", "Search Service",
]  # fmt: skip
REGIONS = ["EU", "US", "APAC", "UK", "CA", "CH"]
IMPLEMENTATION = [
    "Documented in the {topic} policy (v3.2), approved by the CISO and reviewed every year. "
    "Procedures are published on the intranet and each has a named owner.",
    "Enforced by the platform: {topic} settings are defined as code, peer reviewed, and drift "
    "is detected nightly; exceptions need a ticket approved by security.",
    "Covered by our ISO/IEC 27001:2022 certified ISMS. The {topic} controls were last audited "
    "in March with no major non-conformity; the report is available under NDA.",
    "Quarterly reviews of {topic} by the service owner, with findings tracked to closure. "
    "Results go to the risk committee and overdue actions are escalated.",
    "Automated checks run in CI/CD for every change touching {topic}; a failed check blocks "
    "the release. Logs of each run are kept for 13 months.",
]
NA_TEXT = [
    "Not applicable: the service does not handle {topic}; customers keep it on premises.",
    "Not applicable to this SaaS offering: {topic} is operated by the underlying IaaS provider.",
]
CSC_TEXT = [
    "Customers configure {topic} for their own tenants from the admin console.",
    "Customers are responsible for their own accounts, keys and data classification.",
]
NOTES = ["Check with legal before the next submission.", "Evidence kept in the GRC share."]
COMMENTS = [
    "Can we link the policy document here?",
    "This matches what we told the auditor last year.",
    "Please mention the log retention period.",
]
REVIEW_COMMENTS = [
    "Name the tool that enforces this.",
    "The SSRM owner looks wrong: customers manage their own keys.",
]
EVIDENCE_TITLES = [
    "Information security policy", "Access control standard", "Pen test summary",
    "Business continuity plan", "Incident response runbook", "Vendor risk register",
    "Encryption standard", "Logging and monitoring standard", "SOC 2 bridge letter",
    "Data retention schedule", "Change management procedure", "Asset inventory export",
]  # fmt: skip
FILE_KINDS = [("txt", "text/plain"), ("md", "text/markdown"), ("csv", "text/csv")]
EXTENSIONS = {mime: extension for extension, mime in FILE_KINDS}

# Questionnaire i's status by i % 25: most are drafts; some in review, approved, or submitted
# last year (read-only). Index 0 is a draft, so the benchmark's fill page is editable.
IN_REVIEW_SLOTS = {1, 6, 11, 16, 21}
SUBMITTED_SLOTS = {2, 14}
APPROVED_SLOTS = {9}


@dataclass
class VolumeSeed:
    organization: Organization
    questionnaire_ids: list[int]
    answers: int
    members: list[str]
    password: str
    added: int
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {
            "organization": self.organization.slug,
            "questionnaires": len(self.questionnaire_ids),
            "answers": self.answers,
            "members": self.members,
            "password": self.password,
            "questionnaire_ids": self.questionnaire_ids,
            "added": self.added,
            "seconds": round(self.seconds, 1),
        }


@dataclass
class _People:
    contributors: list[User]
    reviewers: list[User]
    admin: User
    emails: list[str]


@dataclass
class _Batch:
    """Rows of a few questionnaires, kept in memory until they are inserted together."""

    answers: list[Answer] = field(default_factory=list)
    # Per answer (same index): history as (user, source, changed_at, diff), comments, links.
    history: list[list[tuple]] = field(default_factory=list)
    comments: list[list[tuple]] = field(default_factory=list)
    links: list[list[int]] = field(default_factory=list)


def member_emails(slug: str, members: int) -> list[tuple[str, Role]]:
    """The seeded people: contributors, two reviewers, one admin and one viewer."""
    people = [(f"member-{i}@{slug}.example", Role.CONTRIBUTOR) for i in range(members - 4)]
    people += [(f"reviewer-{i}@{slug}.example", Role.REVIEWER) for i in range(2)]
    people += [(f"admin@{slug}.example", Role.ADMIN), (f"viewer@{slug}.example", Role.VIEWER)]
    return people


@contextmanager
def _explicit_timestamps(*fields: models.DateTimeField) -> Iterator[None]:
    """Let bulk_create keep the timestamps we set: seeded history lies in the past.

    auto_now and auto_now_add would stamp every row with the time of seeding, which makes
    ``updated_since`` pulls and "recently updated" lists meaningless. Only this command runs
    with them off, single-threaded, and they are restored whatever happens.
    """
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _catalog_version() -> CatalogVersion:
    """The newest loaded catalog version; the built-in sample (placeholder text) when none."""
    version = CatalogVersion.objects.order_by("-imported_at").first()
    if version is None:
        from caiq.services.catalog import catalog_import
        from caiq.xlsx.builder import SAMPLE_FILENAME, sample_workbook_bytes

        version = catalog_import(
            data=sample_workbook_bytes(), filename=SAMPLE_FILENAME, is_sample=True
        ).version
    return version


@transaction.atomic
def _people(org: Organization, slug: str, members: int, password: str) -> _People:
    wanted = member_emails(slug, members)
    existing = {u.email: u for u in User.objects.filter(email__in=[e for e, _r in wanted])}
    # One hash for everyone: hashing is deliberately slow, and these are test accounts.
    encoded = make_password(password)
    missing = [
        User(email=email, name=email.split("@")[0].replace("-", " ").title(), password=encoded)
        for email, _role in wanted
        if email not in existing
    ]
    # They all share one hash, so one check tells whether a re-run changed --password.
    earlier = next(iter(existing.values()), None)
    if earlier is not None and not check_password(password, earlier.password):
        User.objects.filter(pk__in=[u.pk for u in existing.values()]).update(password=encoded)
    for user in User.objects.bulk_create(missing):
        existing[user.email] = user
    joined = set(
        Membership.objects.filter(organization=org, user__in=existing.values()).values_list(
            "user__email", flat=True
        )
    )
    Membership.objects.bulk_create(
        Membership(user=existing[email], organization=org, role=role)
        for email, role in wanted
        if email not in joined
    )
    roles = dict(Membership.objects.filter(organization=org).values_list("user__email", "role"))
    users = [existing[email] for email, _role in wanted]
    return _People(
        contributors=[u for u in users if roles[u.email] == Role.CONTRIBUTOR] or users[:1],
        reviewers=[u for u in users if roles[u.email] == Role.REVIEWER] or users[:1],
        admin=next((u for u in users if roles[u.email] == Role.ADMIN), users[0]),
        emails=[email for email, _role in wanted],
    )


def _file_bytes(org: Organization, n: int) -> tuple[bytes, str]:
    extension, mime = FILE_KINDS[n % len(FILE_KINDS)]
    title = EVIDENCE_TITLES[n % len(EVIDENCE_TITLES)]
    lines = [f"{title} (scale test document {n}) for {org.name}."]
    lines += [f"Section {k}: placeholder text for load testing, revision {n}." for k in range(20)]
    if extension == "csv":
        lines = ["document,section,owner,status"]
        lines += [f"{n},{k},team-{k % 5},reviewed" for k in range(40)]
    return "\n".join(lines).encode(), mime


@transaction.atomic
def _evidence_library(org: Organization, people: _People, now: datetime.datetime) -> list[int]:
    """About EVIDENCE_ITEMS files and links with a mix of validity; their ids."""
    have = Evidence.objects.filter(organization=org).count()
    if have < EVIDENCE_ITEMS:
        rng = random.Random(f"{org.slug}:evidence")  # noqa: S311 - test data
        stored = list(StoredFile.objects.filter(organization=org)[:STORED_FILES])
        storage = evidence_storage()
        for n in range(len(stored), STORED_FILES):
            data, mime = _file_bytes(org, n)
            name = storage.save(new_storage_name(org.pk), ContentFile(data))
            stored.append(
                StoredFile.objects.create(
                    organization=org,
                    sha256=hashlib.sha256(data).hexdigest(),
                    size=len(data),
                    content_type=mime,
                    storage_name=name,
                )
            )
        today = now.date()
        owners = [people.admin, *people.reviewers, *people.contributors[:8]]
        items = []
        for n in range(have, EVIDENCE_ITEMS):
            roll = rng.random()
            valid_until = (
                today - datetime.timedelta(days=rng.randint(1, 200))  # expired
                if roll < 0.08
                else today + datetime.timedelta(days=rng.randint(0, 30))  # expiring
                if roll < 0.15
                else None
                if roll < 0.3
                else today + datetime.timedelta(days=rng.randint(60, 700))
            )
            is_link = n % 5 < 2
            title = f"{EVIDENCE_TITLES[n % len(EVIDENCE_TITLES)]} #{n + 1}"
            items.append(
                Evidence(
                    organization=org,
                    kind=EvidenceKind.LINK if is_link else EvidenceKind.FILE,
                    title=title,
                    description="Seeded for scale tests.",
                    url=f"https://intranet.{org.slug}.example/grc/{n + 1}" if is_link else "",
                    owner=rng.choice(owners),
                    valid_from=valid_until - datetime.timedelta(days=365) if valid_until else None,
                    valid_until=valid_until,
                )
            )
        Evidence.objects.bulk_create(items)
        EvidenceVersion.objects.bulk_create(
            EvidenceVersion(
                evidence=item,
                number=1,
                stored_file=(file := stored[n % len(stored)]),
                original_filename=f"{item.title}.{EXTENSIONS[file.content_type]}",
                uploaded_by=item.owner,
            )
            for n, item in enumerate(items)
            if item.kind == EvidenceKind.FILE
        )
    return list(
        Evidence.objects.filter(organization=org).order_by("pk").values_list("pk", flat=True)
    )


def _status(index: int) -> str:
    slot = index % 25
    if slot in IN_REVIEW_SLOTS:
        return QuestionnaireStatus.IN_REVIEW
    if slot in SUBMITTED_SLOTS:
        return QuestionnaireStatus.SUBMITTED
    if slot in APPROVED_SLOTS:
        return QuestionnaireStatus.APPROVED
    return QuestionnaireStatus.DRAFT


def _review_mix(status: str, rng: random.Random) -> tuple[float, list[tuple[str, float]]]:
    """(share of answers answered, [(review status of an answered one, weight)])."""
    if status in (QuestionnaireStatus.APPROVED, QuestionnaireStatus.SUBMITTED):
        return 1.0, [(ReviewStatus.APPROVED, 1)]
    if status == QuestionnaireStatus.IN_REVIEW:
        return rng.uniform(0.9, 1.0), [
            (ReviewStatus.APPROVED, 45),
            (ReviewStatus.READY, 45),
            (ReviewStatus.CHANGES_REQUESTED, 5),
            (ReviewStatus.IN_PROGRESS, 5),
        ]
    return rng.uniform(0.3, 0.85), [
        (ReviewStatus.APPROVED, 25),
        (ReviewStatus.READY, 15),
        (ReviewStatus.CHANGES_REQUESTED, 5),
        (ReviewStatus.IN_PROGRESS, 55),
    ]


def _values(rng: random.Random, topic: str) -> dict[str, str]:
    choice = rng.choices([CspAnswer.YES, CspAnswer.NO, CspAnswer.NA], [75, 12, 13])[0]
    if choice == CspAnswer.NA:
        return {"answer": choice, "implementation": rng.choice(NA_TEXT).format(topic=topic)}
    ssrm = rng.choice(SsrmOwnership.values)
    values = {
        "answer": choice,
        "ssrm": ssrm,
        "implementation": rng.choice(IMPLEMENTATION).format(topic=topic),
    }
    if ssrm in (SsrmOwnership.CSC, SsrmOwnership.SHARED_CSC) or rng.random() < 0.3:
        values["csc_responsibilities"] = rng.choice(CSC_TEXT).format(topic=topic)
    return values


def _history(
    values: dict, final: str, writer: User, reviewer: User, at: datetime.datetime, rng
) -> list[tuple]:
    """The saves that led to this answer, oldest first, the last one at ``at``: 1 to 3 rows."""
    first = {f: ["", v] for f, v in values.items()}
    first["review_status"] = [ReviewStatus.NOT_STARTED, ReviewStatus.IN_PROGRESS]
    steps = [(writer, ChangeSource.PAGE, first)]
    if final == ReviewStatus.IN_PROGRESS and rng.random() < 0.3:
        old = values["implementation"]
        values["implementation"] = f"{old} Reviewed again this quarter."
        steps.append(
            (writer, ChangeSource.PAGE, {"implementation": [old, values["implementation"]]})
        )
    if final in (ReviewStatus.READY, ReviewStatus.APPROVED, ReviewStatus.CHANGES_REQUESTED):
        steps.append(
            (
                writer,
                ChangeSource.REVIEW,
                {"review_status": [ReviewStatus.IN_PROGRESS, ReviewStatus.READY]},
            )
        )
    if final in (ReviewStatus.APPROVED, ReviewStatus.CHANGES_REQUESTED):
        steps.append(
            (reviewer, ChangeSource.REVIEW, {"review_status": [ReviewStatus.READY, final]})
        )
    stamps = [at]
    for _ in steps[1:]:
        stamps.append(stamps[-1] - datetime.timedelta(hours=rng.uniform(1, 96)))
    return [(*step, stamp) for step, stamp in zip(steps, reversed(stamps), strict=True)]


def _questionnaire(
    org: Organization,
    version: CatalogVersion,
    index: int,
    questions: list[tuple[Question, str, str]],
    people: _People,
    evidence_ids: list[int],
    now: datetime.datetime,
    batch: _Batch,
) -> Questionnaire:
    """Questionnaire ``index`` and its answers (appended to ``batch``), built in memory."""
    rng = random.Random(f"{org.slug}:{index}")  # noqa: S311 - test data
    status = _status(index)
    service = SERVICES[index % len(SERVICES)]
    region = REGIONS[(index // len(SERVICES)) % len(REGIONS)]
    # Started six weeks ago or earlier: the last month's activity is answer work, not the blank
    # answers of a new questionnaire, so a 30-day updated_since pull reads like rows at any size.
    age = rng.uniform(400, 730) if status == QuestionnaireStatus.SUBMITTED else rng.uniform(45, 540)
    created = now - datetime.timedelta(days=age)
    oldest_change = max(created, now - datetime.timedelta(days=365))
    questionnaire = Questionnaire(
        organization=org,
        version=version,
        name=f"{service} {region} #{index + 1:04d}",
        service_name=service,
        owner=rng.choice([people.admin, *people.reviewers]),
        due_date=(now + datetime.timedelta(days=rng.randint(-30, 180))).date(),
        status=status,
        submitted_at=(created + datetime.timedelta(days=60)).date()
        if status == QuestionnaireStatus.SUBMITTED
        else None,
        created_at=created,
        updated_at=created,
    )
    answered_share, mix = _review_mix(status, rng)
    statuses, weights = zip(*mix, strict=True)
    # Domains are handed out to contributors, as reviewers do on the fill page.
    domain_assignee = {}
    for _question, domain, _topic in questions:
        if domain not in domain_assignee:
            domain_assignee[domain] = (
                rng.choice(people.contributors) if rng.random() < 0.7 else None
            )
    span = (now - oldest_change).total_seconds()
    for question, domain, topic in questions:
        assignee = domain_assignee[domain]
        answer = Answer(
            questionnaire=questionnaire,
            question=question,
            assignee=assignee,
            updated_at=created,
        )
        history, comments, links = [], [], []
        if rng.random() < answered_share:
            values = _values(rng, topic)
            final = rng.choices(statuses, weights)[0]
            writer = assignee or rng.choice(people.contributors)
            reviewer = rng.choice(people.reviewers)
            at = now - datetime.timedelta(seconds=rng.uniform(60, span))
            history = _history(values, final, writer, reviewer, at, rng)
            for name, value in values.items():
                setattr(answer, name, value)
            if rng.random() < 0.05:
                answer.internal_notes = rng.choice(NOTES)
            answer.review_status = final
            answer.updated_by = writer
            answer.updated_at = at
            questionnaire.updated_at = max(questionnaire.updated_at, at)
            if final == ReviewStatus.CHANGES_REQUESTED:
                comments.append((reviewer, rng.choice(REVIEW_COMMENTS), True, at))
            if rng.random() < LINKED_SHARE / 0.7 and evidence_ids:
                links = rng.sample(evidence_ids, k=min(len(evidence_ids), rng.choice((1, 1, 2))))
        if rng.random() < 0.03:
            author = rng.choice(people.contributors)
            comments.append((author, rng.choice(COMMENTS), False, answer.updated_at))
        answer.revision = 1 + len(history)
        batch.answers.append(answer)
        batch.history.append(history)
        batch.comments.append(comments)
        batch.links.append(links)
    return questionnaire


def _insert(questionnaires: list[Questionnaire], batch: _Batch) -> None:
    Questionnaire.objects.bulk_create(questionnaires)
    Answer.objects.bulk_create(batch.answers, batch_size=ROWS_PER_INSERT)
    changes, comments, links = [], [], []
    for answer, history, remarks, evidence in zip(
        batch.answers, batch.history, batch.comments, batch.links, strict=True
    ):
        changes += [
            AnswerChange(
                answer_id=answer.pk,
                changed_by=user,
                source=source,
                revision=revision,
                changes=diff,
                changed_at=at,
            )
            for revision, (user, source, diff, at) in enumerate(history, start=2)
        ]
        comments += [
            Comment(answer_id=answer.pk, author=a, body=b, is_review=r, created_at=t)
            for a, b, r, t in remarks
        ]
        links += [
            EvidenceLink(evidence_id=pk, answer_id=answer.pk, linked_by=answer.updated_by)
            for pk in evidence
        ]
    AnswerChange.objects.bulk_create(changes, batch_size=ROWS_PER_INSERT)
    Comment.objects.bulk_create(comments, batch_size=ROWS_PER_INSERT)
    EvidenceLink.objects.bulk_create(links, batch_size=ROWS_PER_INSERT)


def seed_volume(
    *,
    slug: str,
    questionnaires: int,
    members: int = DEFAULT_MEMBERS,
    password: str = DEFAULT_PASSWORD,
    progress: Callable[[int], None] | None = None,
) -> VolumeSeed:
    """Grow organisation ``slug`` to ``questionnaires`` questionnaires (never shrinks it)."""
    if questionnaires < 0:
        raise ValidationError("The number of questionnaires cannot be negative.")
    if members < 5:
        raise ValidationError("Seed at least 5 members: contributors, 2 reviewers, admin, viewer.")
    started = timezone.now()
    version = _catalog_version()
    org, _created = Organization.objects.get_or_create(
        slug=slug, defaults={"name": f"Scale test {slug}"}
    )
    people = _people(org, slug, members, password)
    now = timezone.now()
    evidence_ids = _evidence_library(org, people, now)
    questions = [
        (q, q.control.domain.code, q.control.title.lower())
        for q in version.questions.select_related("control__domain").order_by("position")
    ]
    names = set(org.questionnaires.values_list("name", flat=True))
    have = len(names)
    index, added = have, 0
    timestamps = (
        Questionnaire._meta.get_field("created_at"),
        Questionnaire._meta.get_field("updated_at"),
        Answer._meta.get_field("updated_at"),
        AnswerChange._meta.get_field("changed_at"),
        Comment._meta.get_field("created_at"),
    )
    with _explicit_timestamps(*timestamps):
        while have + added < questionnaires:
            batch, built = _Batch(), []
            while have + added + len(built) < questionnaires and (
                len(built) < QUESTIONNAIRES_PER_TRANSACTION
            ):
                q = _questionnaire(org, version, index, questions, people, evidence_ids, now, batch)
                index += 1
                if q.name in names:  # someone made one of that name by hand: skip the number
                    batch = _trim(batch, len(batch.answers) - len(questions))
                    continue
                built.append(q)
            with transaction.atomic():
                _insert(built, batch)
            added += len(built)
            if progress is not None:
                progress(have + added)
    if added:
        _analyze()
    ids = list(org.questionnaires.order_by("pk").values_list("pk", flat=True))
    return VolumeSeed(
        organization=org,
        questionnaire_ids=ids,
        answers=Answer.objects.filter(questionnaire__organization=org).count(),
        members=people.emails,
        password=password,
        added=added,
        seconds=(timezone.now() - started).total_seconds(),
    )


def _analyze() -> None:
    """Bring PostgreSQL's planner statistics and visibility map up to date after a bulk load.

    Until autovacuum gets to it (minutes later), the planner believes the tables are as small
    as before the load and picks plans that read every answer, e.g. for "the latest changes".
    VACUUM (which also lets index-only scans skip the table) cannot run inside a transaction,
    as in tests; ANALYZE alone is enough for the plans there.
    """
    if connection.vendor != "postgresql":
        return
    loaded = (Questionnaire, Answer, AnswerChange, Comment, EvidenceLink)
    with connection.cursor() as cursor:
        if not connection.in_atomic_block:
            names = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in loaded)
            cursor.execute(f"VACUUM {names}")
        # Every table: the small ones count too (memberships, organisations), because the
        # planner's estimate of "this user's questionnaires" joins through them.
        cursor.execute("ANALYZE")


def _trim(batch: _Batch, keep: int) -> _Batch:
    return _Batch(
        answers=batch.answers[:keep],
        history=batch.history[:keep],
        comments=batch.comments[:keep],
        links=batch.links[:keep],
    )
