"""Hamstring Coach: an Alexa skill that guides hamstring stretches for low back pain."""

__version__ = "0.1.0"
