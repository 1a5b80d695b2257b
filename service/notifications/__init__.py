"""Notifications: an outbox of messages written with the change that causes them, and
a job that delivers them once each, over the recipient's chosen channel."""
