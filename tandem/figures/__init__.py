"""Figures: pure functions from frames to what is shown or handed out (Plotly figures, takeaway titles, table and download files), no query calls. May import tandem.model and tandem.data."""
