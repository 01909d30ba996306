"""Visits to households, recorded on phones (often offline) and applied exactly once."""
