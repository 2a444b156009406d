"""nntrain."""
