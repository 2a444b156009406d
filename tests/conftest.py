"""Shared pytest setup: figures render off-screen (no display needed)."""
import os

os.environ["MPLBACKEND"] = "Agg"
