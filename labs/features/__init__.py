"""Helpers of the feature-engineering labs (series 03), one small module per job."""
