"""Workbench menu entries for credit lists, the ledger and the event import."""
