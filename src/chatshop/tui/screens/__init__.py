"""Screens of the chatshop client: login, main, help."""
