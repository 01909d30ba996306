"""Pieces every feature shares: schema fields with Chinese messages, pagination, time."""
