from .catalog import CatalogVersion, Control, Domain, Question

__all__ = ["CatalogVersion", "Control", "Domain", "Question"]
