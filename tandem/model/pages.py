"""The dashboard's pages: url path -> title, in the navigation's order (the Import page,
offered only when importing is allowed, last and never in a report)."""

TITLES = {"weekly_review": "Weekly review", "communication": "Communication", "contested_deals": "Contested deals",
          "rules_events": "Rules & events", "conversion": "Conversion", "deal_explorer": "Deals",
          "overview": "Data overview"}
IMPORT_TITLE = "Import data"
