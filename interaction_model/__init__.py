"""Installed as `skill.interaction_model` (pyproject `package-dir`); find files via skill.resources.

The JSON files here are what the Alexa console takes; this file only makes the folder a package.
"""
