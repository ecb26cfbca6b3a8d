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
