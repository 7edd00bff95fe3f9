"""Scheduled work: the dunning cycle (and later the scheduler and workers)."""

from cobranza.jobs.cycle import CycleReport, run_cycle, sandbox_dispatcher

__all__ = ["CycleReport", "run_cycle", "sandbox_dispatcher"]
