"""Settings for caching (star-imported at the end of base.py). Values that differ per deployment come from the environment."""
