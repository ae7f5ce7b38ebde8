"""Outgoing e-mail: every message the site sends is stored, then sent by the task worker."""
