"""Helpers of the modeling series (notebooks/04-modeling/), one small module per job."""
