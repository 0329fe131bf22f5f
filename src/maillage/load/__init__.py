"""Readers: files on disk -> canonical frames (no reprojection beyond the stated CRS)."""
