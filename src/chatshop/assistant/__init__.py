"""The brand assistant: a bot that sells in the conversation, in English and French.

``chatshop bot run chatshop.assistant:assistant`` runs it for the brand its token belongs
to. ``language`` holds the languages (data files), ``understand`` reads a message,
``dialogue`` decides the answer, ``bot`` wires them to the bot SDK.
"""

from chatshop.assistant.bot import assistant, make_assistant

__all__ = ["assistant", "make_assistant"]
