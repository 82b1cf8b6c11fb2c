"""The organisation audit log: security-relevant acts outside answer history.

The lowest layer of the project: every app records into it and it imports none of them, so an
event is written by the same service, in the same transaction, as the act it describes. The
page, API and admin that read it live in ``accounts``, which owns organisations and roles.

Why not django-auditlog: it records model saves through signals, so it misses the bulk writes
the services make (``QuerySet.update``, ``bulk_create``), cannot record an act that changes no
row (an export downloaded), and files rows by content type rather than organisation, so each
tenant's view would need a join per model. These events are domain acts, recorded explicitly.
"""
