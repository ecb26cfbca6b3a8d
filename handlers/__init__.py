"""What happens: one module per business flow of the seed, plus non-flow events and jobs.

Importing this package registers every job handler with ``bot.outbox``.
"""

from bot import reminders
from handlers import diagnostics

__all__ = ["diagnostics", "reminders"]
