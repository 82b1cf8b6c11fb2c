"""Where the CSA-faithful samples are: ``../shared`` beside the repository (our CI has it).

They are CSA's files part for part with the prose replaced, kept outside the repository because
their structure is CSA's; ``CAIQ_SHARED_DIR`` points elsewhere. Without them the conformance
group is not collected and the run says so in one line (tests/conftest.py); nothing else in the
suite depends on them.
"""

import os
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("CAIQ_SHARED_DIR") or REPOSITORY.parent / "shared")
CAIQ_FAITHFUL = SHARED / "caiq" / "CAIQv4.0.3-faithful-sample.xlsx"
CAIQ_V41_APPROXIMATION = SHARED / "caiq" / "CAIQv4.1.0-layout-approximation.xlsx"
CCM_FAITHFUL = SHARED / "ccm" / "CCMv4.0.12-faithful-sample.xlsx"


def missing_reason() -> str | None:
    """None when the samples are there; otherwise the one line that says why the group is out."""
    if CAIQ_FAITHFUL.exists():
        return None
    return (
        f"conformance tests not run: {CAIQ_FAITHFUL} is not there "
        "(they need CSA-faithful samples beside the repository; CAIQ_SHARED_DIR points elsewhere)"
    )
