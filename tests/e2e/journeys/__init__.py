"""The business-day suite (issue 14): the day walked as the demo roles, each in its own browser context.

    .venv/bin/pytest tests/e2e/journeys -p no:xdist              # as CI runs it: seeds the demo company once
    .venv/bin/pytest tests/e2e/journeys -p no:xdist --reuse-db   # while writing one: keeps the seeded company

A journey marked xfail names the issue item whose bug stops it, and the step; the mark goes when the fix lands
(the marks are strict: a journey that starts passing fails the run until its mark is removed).
"""
