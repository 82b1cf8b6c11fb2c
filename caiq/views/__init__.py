"""Pages of the caiq app: the catalog, questionnaires and the fill page."""
