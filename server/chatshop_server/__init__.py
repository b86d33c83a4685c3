"""The chatshop relay."""
