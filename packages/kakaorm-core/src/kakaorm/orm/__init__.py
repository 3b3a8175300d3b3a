"""The ORM layer: models, columns, query sets, relations and persistence."""
