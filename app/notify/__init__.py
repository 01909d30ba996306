"""Notifications: the inbox is the record; channels (Web Push, WeCom) deliver copies."""
