"""What happens: one module per business flow of the seed, plus non-flow events and jobs.

Importing this package registers every job handler with ``bot.outbox``.
"""

from handlers import diagnostics, payments

__all__ = ["diagnostics", "payments"]
