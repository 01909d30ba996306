"""The organisation: org units as one tree, the people and their place in the chain."""
