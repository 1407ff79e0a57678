"""exam package."""
