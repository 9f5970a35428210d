"""Workbench menu entries for joint-punishment rules, credit repair and a merchant's own grade."""
