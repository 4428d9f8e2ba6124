"""RADIUS protocol library, Django-free."""
