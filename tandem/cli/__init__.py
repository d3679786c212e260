"""Command line: `python -m tandem` and its commands (import, export, demo, summary, bench). May import tandem.figures, tandem.model and tandem.data, not tandem.ui."""
