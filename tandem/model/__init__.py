"""Model: the domain rules in plain Python (filters, periods, the contest rule, wording), no Streamlit, no Plotly. May import tandem.data."""
