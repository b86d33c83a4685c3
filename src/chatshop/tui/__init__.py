"""The chatshop terminal client: a Textual app over :mod:`chatshop.client`.

Screens and widgets never touch the client: everything goes through one link worker
(:mod:`chatshop.tui.link`) that posts messages into the app.
"""
