"""Relay storage: the interface handlers use, and its SQL implementation."""
