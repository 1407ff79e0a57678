"""Seeded generators for the kit's synthetic datasets, one module per dataset.

Each module exposes ``SEED``, ``DECIMALS`` (float column -> decimals written to CSV) and
``generate(seed: int = SEED) -> pandas.DataFrame`` returning the columns in file order.
"""
