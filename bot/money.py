"""Money as people read it: amounts are kept in integer fen and shown in yuan."""

from __future__ import annotations


def yuan(fen: int) -> str:
    """An amount in fen as yuan with two decimals: 55000 → 550.00."""
    return f"{fen // 100}.{fen % 100:02d}"
