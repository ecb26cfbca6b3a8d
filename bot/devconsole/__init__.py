"""The development console (``/dev/``), its WeChat and WeChat Pay sandbox, and the guided
demo (``certdesk demo``): every flow on a laptop, with no WeChat or merchant account."""
