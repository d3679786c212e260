"""Tandem: analytics of internal and external sales forces working the same customers."""
