"""Reusable widgets of the chatshop client."""
