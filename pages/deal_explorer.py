"""Deals: every deal of the period under any filter, down to one deal's record and evidence."""

from dataclasses import replace
from urllib.parse import urlparse

import streamlit as st

from tandem.figures import deals
from tandem.model import coverage, deal_search, wording
from tandem.model.contest import SIGNAL_LABELS
from tandem.model.deal_search import (
    MAX_AMOUNT,
    MAX_SEARCH,
    STAGES,
    STATUSES,
    DealFilters,
)
from tandem.model.filters import SIGNALS, ContestRules, deal_from_url, rules_from_url
from tandem.model.wording import humanise, money, money_label
from tandem.ui import app, audit_trail, deal_view, sign_in, state, widgets

URL_PATH = "deal_explorer"
FILTERS = state.DEALS_FILTERS  # this page's filters, kept while the user visits other pages
RULES = state.DEALS_RULES  # the contest rule of the contested filter (signals chosen here; windows from the URL)
DEAL = state.DEALS_DEAL  # the deal whose record is open
VIEWS = "deals_views"  # saved views of the session: name -> relative link
TABLE_RESET = "deals_table_reset"  # bumped to clear the table's selection ("Back to all deals")
LAST_ROWS = "deals_table_rows"  # (table key, selected rows) at the previous run, to notice a deselection
ROW_HEIGHT = 66  # px: rows of up to 3 lines of text (Streamlit wraps text only in rows taller than 64 px)
WIDGETS = {"statuses": "deals_statuses", "stages": "deals_stages", "min_amount": "deals_min_amount",
           "max_amount": "deals_max_amount", "products": "deals_products", "lead_sources": "deals_lead_sources",
           "owners": "deals_owners", "sources": "deals_sources", "contested": "deals_contested",
           "search": "deals_search"}
SIGNALS_WIDGET = "deals_signals"

filters = state.current()
session = st.session_state
options = deal_search.DealOptions.from_frame(app.run("deal_filter_options"))

st.title("Deals")
st.caption(f"{filters.start:%d %b %Y} to {filters.end:%d %b %Y} (end excluded). The active deals of the period "
           "(created before the end and not closed before the start), as they stood at the end: status and stage "
           "as of the end. The sidebar's team (by attribution), region and segment filters apply.")

if lacking := coverage.lacking("deals", "the deals and their records", state.present_tables()):
    st.info(lacking)
    st.stop()

if FILTERS not in session:  # the session's first visit: the URL tells the view
    url = state.query_params_lists()
    deal_filters, notices = deal_search.from_url(url, options)
    rules, rule_notices = rules_from_url(url)
    requested, deal_notices = deal_from_url(url)
    if deal_filters.deal_ids:  # a link naming deals that are not (or no longer) in the data says so
        known = set(app.run("known_deal_ids", deal_ids=list(deal_filters.deal_ids))["deal_id"])
        deal_filters, more = deal_search.keep_known_deals(deal_filters, known)
        notices += more
    session[FILTERS], session[RULES], session[DEAL] = deal_filters, rules, requested
    state.show_notices(rule_notices + notices + deal_notices)
for field_name, key in WIDGETS.items():  # widgets forget their value on other pages; the filters do not
    value = getattr(session[FILTERS], field_name)
    session.setdefault(key, list(value) if isinstance(value, tuple) else value)
session.setdefault(SIGNALS_WIDGET, list(session[RULES].signals))
session.setdefault(TABLE_RESET, 0)

# 1. The page's filters
with st.container(border=True):
    row = st.columns(4)
    row[0].multiselect("Status", STATUSES, key=WIDGETS["statuses"], placeholder="Any status", format_func=humanise,
                       help="Status as of the end of the period: a deal closed later is open.")
    row[1].multiselect("Stage", STAGES, key=WIDGETS["stages"], placeholder="Any stage", format_func=humanise,
                       help="Stage as of the end of the period: the last change before it, lead before any.")
    row[2].number_input(money_label("Amount from"), min_value=0.0, max_value=MAX_AMOUNT, value=None, step=1000.0,
                        format="%.0f", key=WIDGETS["min_amount"], placeholder="No minimum", help="Included.")
    row[3].number_input(money_label("Amount up to"), min_value=0.0, max_value=MAX_AMOUNT, value=None, step=1000.0,
                        format="%.0f", key=WIDGETS["max_amount"], placeholder="No maximum", help="Included.")
    row = st.columns(4)
    row[0].multiselect("Product", options.products, key=WIDGETS["products"], placeholder="Any product")
    row[1].multiselect("Lead source", options.lead_sources, key=WIDGETS["lead_sources"], placeholder="Any lead source",
                       format_func=humanise)
    row[2].multiselect("Owner", list(options.owners), key=WIDGETS["owners"], format_func=options.owners.get,
                       placeholder="Any owner")
    row[3].multiselect("Source rep", list(options.sources), key=WIDGETS["sources"], format_func=options.sources.get,
                       placeholder="Any source rep")
    row = st.columns([2, 1.2, 1.8])
    row[0].text_input("Search deal and account names", key=WIDGETS["search"], max_chars=MAX_SEARCH,
                      placeholder="Part of a name, any case",
                      help="Deals whose name or whose account's name contains this text, compared literally "
                           "(% and _ are plain characters).")
    contested_only = row[1].toggle("Contested deals only", key=WIDGETS["contested"],
                                   help="Deals with at least one of the chosen contest signals as of the end of "
                                        "the period (the rule of the Contested deals page).")
    chosen = session[SIGNALS_WIDGET]
    if contested_only:
        chosen = row[2].pills("Signals that count", list(SIGNALS), selection_mode="multi", key=SIGNALS_WIDGET,
                              format_func=SIGNAL_LABELS.get) or []

rules = session[RULES]
if chosen:
    rules = ContestRules(rules.lookback_days, rules.overlap_days, tuple(s for s in SIGNALS if s in chosen))
deal_filters, notices = deal_search.validate(DealFilters(
    statuses=tuple(session[WIDGETS["statuses"]]), stages=tuple(session[WIDGETS["stages"]]),
    min_amount=session[WIDGETS["min_amount"]], max_amount=session[WIDGETS["max_amount"]],
    products=tuple(session[WIDGETS["products"]]), lead_sources=tuple(session[WIDGETS["lead_sources"]]),
    owners=tuple(session[WIDGETS["owners"]]), sources=tuple(session[WIDGETS["sources"]]),
    contested=bool(contested_only), search=(session[WIDGETS["search"]] or "").strip()[:MAX_SEARCH],
    deal_ids=session[FILTERS].deal_ids))  # a link's deals: not a widget, kept until cleared
for notice in notices:
    st.warning(notice, icon=":material/warning:")
session[FILTERS], session[RULES] = deal_filters, rules


def show_all_deals() -> None:
    session[FILTERS] = replace(session[FILTERS], deal_ids=())


if deal_filters.deal_ids:
    note, clear = st.columns([5, 1], vertical_alignment="center")
    note.info(f"Only the {len(deal_filters.deal_ids):,} deals named by the link you followed (a cell of Rules & "
              "events), under the filters above.", icon=":material/link:")
    clear.button("Show all deals", key="deals_clear_ids", on_click=show_all_deals)


def page_params() -> dict:
    deal = session.get(DEAL)
    return {**deal_filters.to_url(), **rules.to_url(), **({"deal": deal} if deal else {})}


state.set_page_params(page_params())
if contested_only and not chosen:
    st.info("Choose at least one signal: with none, no deal can be contested.")
    st.stop()

params = {**filters.params("start", "end", "attribution", "teams", "regions", "segments"),
          **deal_filters.params(rules)}
totals = app.run("matching_deal_totals", **params)
total = totals[totals["breakdown"] == "total"]
total_deals = int(total["deals"].sum())
total_amount = float(total["amount"].sum())

# 2. Count and total, always over every match
left, right, rest = st.columns([1, 1.4, 2.6])
left.metric("Matching deals", f"{total_deals:,}", border=True)
right.metric(money_label("Their total amount"), money(total_amount), border=True)
team_names = state.options().teams
rest.caption(deal_search.describe(filters, deal_filters, rules, team_names, options))
if total_deals == 0:
    st.info("No deal matches these filters: widen them, or the period, teams, regions and segments in the sidebar.")
else:
    # 3. Breakdowns of the selection
    colours = state.team_colours()
    for column, (figure, _, drawn) in zip(st.columns(3), app.built(deals.breakdown_figures, totals, colours)):
        with column:
            widgets.plot(figure, title_width=40)  # a third of the page: about 40 characters of a 14 px title

    # 4. The table
    rows = app.run("matching_deals", **params, limit=widgets.ROW_LIMIT)
    shown = deals.table(rows, deal_filters.contested)
    sentence = deal_search.count_sentence(total_deals, total_amount, len(shown))
    note = ("Ordered by amount, largest first; click a column header to sort. The downloads have every column: "
            "also each deal's id, status, region, segment, product, lead source and dates.")
    if len(shown) < total_deals:
        st.warning(sentence, icon=":material/filter_list:")
        st.caption(note)
    else:
        st.caption(f"{sentence} {note}")
    table_key = widgets.table_key("deals_table", sorted(params.items()), session[TABLE_RESET])
    widths = deals.SCREEN_WIDTHS
    event = st.dataframe(
        deals.on_screen(shown), hide_index=True, width="stretch", height=37 + ROW_HEIGHT * min(len(shown), 8),
        row_height=ROW_HEIGHT, placeholder="—", on_select="rerun", selection_mode="single-row", key=table_key,
        column_order=deals.screen_columns(deal_filters.contested), column_config={
            "deal_name": st.column_config.TextColumn("Deal", width=widths["deal_name"]),
            "account_name": st.column_config.TextColumn("Account", width=widths["account_name"]),
            "amount": st.column_config.NumberColumn(money_label("Amount"), format="localized", width=widths["amount"]),
            "stage": st.column_config.TextColumn("Stage", width=widths["stage"],
                                                 help="As of the end of the period; won or lost once closed."),
            "signals": st.column_config.TextColumn("Signals", width=widths["signals"]),
            "team_name": st.column_config.TextColumn("Team", width=widths["team_name"]),
            "owner_rep_name": st.column_config.TextColumn("Owner", width=widths["owner_rep_name"]),
            "source_rep_name": st.column_config.TextColumn("Source rep", width=widths["source_rep_name"]),
            "created_at": st.column_config.DatetimeColumn("Created", format="YYYY-MM-DD", width=widths["created_at"]),
        })
    selected_rows = list(event.selection.rows) if event else []
    last_key, last_rows = session.get(LAST_ROWS, (None, []))
    if selected_rows and (last_key, last_rows) != (table_key, selected_rows):
        session[DEAL] = shown.iloc[selected_rows[0]]["deal_id"]
    elif not selected_rows and last_key == table_key and last_rows:  # the user cleared the selection
        session[DEAL] = None
    session[LAST_ROWS] = (table_key, selected_rows)  # a filter change keeps the open deal
    state.set_page_params(page_params())

    # 5. Downloads: every match, built only when clicked (on another thread: no session there)
    presentation = filters.presentation
    contested = deal_filters.contested
    scope = app.current_scope()

    def every_match():
        rows = app.fetch("matching_deals", presentation, scope, **params, limit=deal_search.DOWNLOAD_LIMIT)
        return deals.table(rows, contested)

    lines = deal_search.filter_lines(filters, deal_filters, rules, team_names, options)
    exported_by = audit_trail.stamp(sign_in.signed_in())  # signed in: who exported, on the Filters sheet
    sheet_lines = lines + ([("Exported by", exported_by)] if exported_by else [])
    left, right, _ = st.columns([1, 1, 4])
    with left:
        widgets.file_download("Download CSV", lambda: deals.csv_bytes(every_match()), "tandem_deals.csv", "text/csv",
                             "deals_download_csv", help=f"All {total_deals:,} matching deals.")
    with right:
        widgets.file_download("Download Excel", lambda: deals.xlsx_bytes(every_match(), sheet_lines), "tandem_deals.xlsx",
                             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "deals_download_xlsx",
                             icon=":material/table_view:",
                             help=f"All {total_deals:,} matching deals, and a sheet stating the filters.")


# 6. One deal's record
def back_to_all_deals() -> None:
    session[DEAL] = None
    session[LAST_ROWS] = (None, [])
    session[TABLE_RESET] += 1


st.subheader("Deal record")
selected_deal = session.get(DEAL)
if not selected_deal:
    st.info("Select a deal in the table (the box at the left of a row) to open its record: account, contacts "
            "touched, timeline, claims, stage history, and why it is contested if it is.")
else:
    st.button("Back to all deals", icon=":material/arrow_back:", on_click=back_to_all_deals, key="deals_back")
    deal_view.show_deal(selected_deal, filters, rules, key="deals", details=True)

# 7. Saved views of the session
link = state.link(URL_PATH, filters, **page_params())
with st.sidebar:
    st.subheader("Saved views")
    name = st.text_input("Name of this view", key="deals_view_name", max_chars=deal_search.MAX_VIEW_NAME,
                         placeholder="e.g. Big open deals, North")
    if st.button("Save view", icon=":material/bookmark_add:", key="deals_save_view"):
        views, refusal = deal_search.save_view(session.get(VIEWS, {}), name, link)
        if refusal:
            st.warning(refusal)
        else:
            session[VIEWS] = views
    views = session.get(VIEWS, {})
    if not views:
        st.caption("A saved view keeps the filters, the period and the open deal, for this session.")
    page_url = urlparse(st.context.url or "")
    base = (f"{page_url.scheme}://{page_url.netloc}{page_url.path.removesuffix('/' + URL_PATH).rstrip('/')}/"
            if page_url.netloc else "")
    for view_name, view_link in views.items():
        st.markdown(f"[{wording.literal(view_name)}]({view_link})")
        st.code(base + view_link, language=None, wrap_lines=True)
