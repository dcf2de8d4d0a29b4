"""A small shop with layers: app > infra > domain."""
