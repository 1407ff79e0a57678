"""Helpers of the operations series (notebooks/05-operations/), one small module per job."""
