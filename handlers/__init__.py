"""What happens: one module per business flow of the seed, plus non-flow events and jobs.

Importing this package registers every job handler with ``bot.outbox``.
"""

from bot import invoices, notices, reminders
from bot.admin import delivery
from bot.wechat import inbox, late_replies
from handlers import diagnostics, payments, renewal_run

__all__ = [
    "delivery",
    "diagnostics",
    "inbox",
    "invoices",
    "late_replies",
    "notices",
    "payments",
    "reminders",
    "renewal_run",
]
