"""Models of the aaa app."""
