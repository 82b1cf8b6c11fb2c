"""Process tuning applied once the app is loaded (by config/wsgi.py and the benchmarks)."""

import gc

# Rendering the 261-answer fill page allocates ~10^6 short-lived objects. With CPython's default
# thresholds (700, 10, 10) that triggers collections mid-request that cost 50-80 ms; the
# objects are freed by reference counting anyway, so collect cycles far less often.
GC_THRESHOLDS = (50_000, 20, 100)


def tune_garbage_collector() -> None:
    """Freeze what start-up loaded (it lives as long as the process) and collect less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
