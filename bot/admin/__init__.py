"""The CA staff console: server-rendered pages under ``/admin/`` (no JavaScript build step)."""
