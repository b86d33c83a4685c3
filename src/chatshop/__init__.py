"""chatshop: a terminal messenger with commerce built in."""

__version__ = "0.1.0"
