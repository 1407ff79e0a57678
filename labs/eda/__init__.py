"""Helpers of the exploratory-analysis labs (series 02), one small module per job."""
