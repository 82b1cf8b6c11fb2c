"""The organisation audit log: security-relevant acts outside answer history.

The lowest layer of the project: every app records into it and it imports none of them, so an
event is written by the same service, in the same transaction, as the act it describes. The
page, API and admin that read it live in ``accounts``, which owns organisations and roles.
"""
