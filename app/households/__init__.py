"""Households and the member who covers each of them (党员包联户)."""
