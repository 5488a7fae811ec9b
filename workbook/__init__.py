"""The Day 5 workbook engine: kata manifest, implementation seam, stubs, pytest plugin."""
