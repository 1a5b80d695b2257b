"""Matching: an optimiser that proposes weekly placements from goals and capacity.

The core (`model`, `rules`, `solver`, `explain`, `validate`) does no I/O: a `Problem`
in, a `Plan` out. `services` reads the database into a problem and stores the plan as a
proposal that a coordinator reviews and publishes."""
