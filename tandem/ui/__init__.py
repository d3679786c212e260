"""UI: the Streamlit glue (cached queries, sidebar and URL state, widgets, the deal record view). May import tandem.figures, tandem.model and tandem.data."""
