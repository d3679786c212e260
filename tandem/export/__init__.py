"""Client deliverables: a page's content (its charts with their takeaway titles, its tables,
its captions) gathered once, then written as a slide deck, a PDF or an offline HTML report.

A layer between the figures and the ui: it may import tandem.figures, tandem.model and
tandem.data, never Streamlit. The charts are the pages' own builders (tandem.figures);
`sections` composes them per page from the same queries with the same parameters.
"""
