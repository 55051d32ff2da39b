"""``python -m reports``: run the grid (or read a results.json) and write the report."""

from reports.cli import main

raise SystemExit(main())
