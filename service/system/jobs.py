"""Nightly maintenance jobs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from service.auth import services as auth
from service.system import services as system


async def prune_job_runs(ctx: dict[str, Any], *, days: int = 30) -> int:
    """Forget the bookkeeping of jobs that finished more than `days` ago."""
    return await system.prune_job_runs(timedelta(days=days))


async def purge_expired_tokens(ctx: dict[str, Any], *, days: int = 30) -> int:
    """Delete API tokens that expired or were revoked more than `days` ago."""
    return await auth.purge_dead_tokens(timedelta(days=days))
