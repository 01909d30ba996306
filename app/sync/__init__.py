"""Offline sync: apply a phone's queued writes exactly once, and feed it what changed."""
