"""Tortoise ORM models and the state machines of certdesk's records."""

MODEL_MODULES = [
    "models.jobs",
    "models.users",
    "models.orders",
    "models.payments",
    "models.invoices",
    "models.materials",
    "models.staff",
    "models.certificates",
    "models.keys",
    "models.renewals",
]


def parameter_marks(dialect: str, count: int) -> list[str]:
    """The marks of ``count`` query parameters in the SQL of ``dialect`` (``$1``.. on
    PostgreSQL, ``?`` on SQLite), for the few statements written by hand on hot paths."""
    return [f"${n}" if dialect == "postgres" else "?" for n in range(1, count + 1)]
