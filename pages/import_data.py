"""Import data: upload Tandem CSVs or a CRM export, map the CRM users to teams, check, then
replace the database (the replaced one is kept as one backup that a button restores).
Offered only when $TANDEM_ALLOW_IMPORT is set (tandem.data.config.import_allowed), to an administrator."""

import shutil
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from tandem.data import db
from tandem.data.config import db_path, import_allowed
from tandem.data.crm import ExportFileError, import_any
from tandem.data.crm.convert import TEAMS_FILE_COLUMNS
from tandem.data.crm.uploads import save_upload, write_teams_file
from tandem.ui import app, state

SOURCES = {"contract": "Tandem CSV files", "salesforce": "Salesforce Data Export", "hubspot": "HubSpot exports",
           "mapping": "Another CRM, with a mapping file (.toml)"}
FOLDER, SAVED, CHECKED, DONE = "import_folder", "import_saved", "import_checked", "import_done"

state.current()  # the shell's sidebar is drawn even when this page is the first one opened
st.title("Import data")
if not app.current_scope().administers:  # the page is not offered to other roles; a typed URL ends here
    st.info("Only an administrator can import data. Ask yours, or see README \"Who may see what\".",
            icon=":material/lock:")
    st.stop()
if not import_allowed():
    st.info("Importing from the browser is switched off: set TANDEM_ALLOW_IMPORT=1 where the dashboard runs, or "
            "use `python -m tandem import FOLDER` (README, \"Your own data\").")
    st.stop()

target = db_path()
session = st.session_state
st.caption(f"Replaces `{target}` for every user of this dashboard. Nothing changes until every file passes the "
           "checks; the database it replaces is kept as a backup you can restore below.")
if done := session.pop(DONE, None):
    st.success(done, icon=":material/check_circle:")

source = st.radio("What the files are", list(SOURCES), format_func=SOURCES.get, horizontal=True, key="import_source")
uploads = st.file_uploader("Export files: CSV files, or one zip archive of them"
                           + (", and the mapping file (.toml)" if source == "mapping" else ""),
                           type=["csv", "zip", "toml"], accept_multiple_files=True, key="import_files")

# the uploads, written once into a folder of this session's (the import reads files); the folder
# lives only while files are uploaded: a client's export is not left behind on the server
uploaded = tuple(sorted((f.name, f.file_id) for f in uploads or []))
if SAVED not in session or session[SAVED][0] != uploaded:
    if FOLDER in session:
        shutil.rmtree(session.pop(FOLDER), ignore_errors=True)
    if uploads:
        session[FOLDER] = tempfile.mkdtemp(prefix="tandem-upload-")
    names, problems = [], []
    for file in uploads or []:
        try:
            names += save_upload(file.name, file.getvalue(), Path(session[FOLDER]))
        except ExportFileError as error:
            problems.append(str(error))
    session[SAVED] = (uploaded, names, problems)
    session.pop(CHECKED, None)
_, names, problems = session[SAVED]
folder = Path(session[FOLDER]) if FOLDER in session else None
for problem in problems:
    st.error(problem, icon=":material/error:")
if not names:
    st.info("Upload the files to import: " + {
        "contract": "teams.csv, reps.csv, accounts.csv, deals.csv, ... (docs/data-contract.md).",
        "salesforce": "Account.csv, Opportunity.csv and, when you have them, User.csv, Contact.csv, "
                      "OpportunityHistory.csv, Task.csv, Event.csv, EventRelation.csv.",
        "hubspot": "deals.csv, companies.csv, owners.csv and, when you have them, contacts.csv, calls.csv, "
                   "emails.csv, meetings.csv.",
        "mapping": "the CRM's CSV files and the mapping file (docs/crm-import.md)."}[source])

mapping = None
if source == "mapping":
    tomls = [n for n in names if n.lower().endswith(".toml")]
    mapping = st.selectbox("Mapping file", tomls, key="import_mapping") if tomls else None
    if names and not tomls:
        st.warning("Upload the mapping file (.toml) with the CRM's files.", icon=":material/warning:")

teams_file = None
if source in ("salesforce", "hubspot", "mapping"):
    st.subheader("Teams")
    st.caption("Which CRM user belongs to which team, and whether the team is internal or an outsourced "
               "(external) force. crm_user is the user's id, email or name as the export writes them; users left "
               "out get the default team of their kind. Checking the files fills in the users still missing.")
    checked = session.get(CHECKED)
    listed = session.get("import_teams_rows", [])
    known = {row["crm_user"] for row in listed}
    missing = [] if not checked or checked["mapped"] is None else [
        {"crm_user": u["crm_user"], "team_id": "", "team_name": "", "kind": u["kind"] or "internal", "agency": "",
         "name": u["name"] or "", "email": u["email"] or ""}
        for u in checked["mapped"].users_without_team if u["crm_user"] not in known]
    edited = st.data_editor(pd.DataFrame(listed + missing, columns=[*TEAMS_FILE_COLUMNS, "name", "email"]),
                            num_rows="dynamic", width="stretch", hide_index=True,
                            key=f"import_teams_{len(listed + missing)}",
                            disabled=["name", "email"],  # who the user is, as the export says: read only
                            column_config={"kind": st.column_config.SelectboxColumn(
                                "kind", options=["internal", "external"], required=True)})
    session["import_teams_rows"] = edited.fillna("").to_dict("records")
    teams_file = write_teams_file(session["import_teams_rows"], folder) if folder else None


def run_import(dry_run: bool, progress) -> dict:
    """The import of the uploaded files (`dry_run`: checked only)."""
    chosen = folder / mapping if source == "mapping" else source
    return import_any(folder, chosen, target, teams=teams_file, dry_run=dry_run, progress=progress)


ready = bool(names) and (source != "mapping" or mapping is not None)
left, right = st.columns(2)
if left.button("Check the files", icon=":material/fact_check:", disabled=not ready, width="stretch"):
    bar = st.progress(0.0, "checking")
    session[CHECKED] = run_import(True, lambda share, message: bar.progress(min(share, 1.0), message))
    bar.empty()
    st.rerun()

checked = session.get(CHECKED)
if checked:
    st.subheader("What the check found")
    if checked["error"]:
        st.error(f"{checked['error']}. Nothing was imported.", icon=":material/error:")
    mapped, imported = checked["mapped"], checked["imported"]
    if mapped is not None:
        st.dataframe(pd.DataFrame(mapped.table_counts()), hide_index=True, width="content")
        drops = mapped.drops()
        if drops:
            st.markdown("**Rows left out, and why**")
            st.dataframe(pd.DataFrame(drops), hide_index=True, width="stretch")
        for column, values in mapped.unmapped.items():
            st.warning(f"Values the mapping does not know in {column}: "
                       + ", ".join(f"{value} ({rows:,})" for value, rows in values.most_common(10))
                       + ". Their rows are left out; a mapping file that extends the preset can map them "
                         "(docs/crm-import.md).", icon=":material/help:")
        if len(mapped.currencies) > 1:
            st.warning(f"Deal amounts in {len(mapped.currencies)} currencies ({', '.join(mapped.currencies)}): "
                       + ("converted with the mapping's rates." if mapped.converted else
                          "kept as they are; give [rates] in a mapping file to convert them."),
                       icon=":material/currency_exchange:")
        if mapped.users_without_team:
            st.info(f"{len(mapped.users_without_team)} CRM users have no team yet: they are added to the Teams "
                    "table above with the default kind; complete it and check again.", icon=":material/group:")
    if imported is not None and not imported.ok:
        st.error(imported.error_text(), icon=":material/error:")
    elif not checked["error"]:
        st.success("The files pass every check of the data contract.", icon=":material/check:")

can_replace = bool(checked) and not checked["error"] and (checked["imported"] is None or checked["imported"].ok)
if right.button("Replace the database", type="primary", icon=":material/upload:", disabled=not (ready and can_replace),
                width="stretch", help="Import the checked files; the current database becomes the backup."):
    bar = st.progress(0.0, "importing")
    try:
        with db.keeping_backup(target):
            outcome = run_import(False, lambda share, message: bar.progress(min(share, 1.0), message))
    except db.DatabaseBusy as error:
        outcome = {"imported": None, "error": f"Nothing was imported: {error}."}
    bar.empty()
    report = outcome["imported"]
    if report is not None and report.ok:
        session.pop(CHECKED, None)
        session[DONE] = f"Imported {report.row_counts_text()}. Every page now shows the new data."
        st.rerun()
    st.error(outcome["error"] or report.error_text(), icon=":material/error:")

backup = db.backup_path(target)
if backup.exists():
    st.divider()
    st.caption(f"Backup: the database replaced last (`{backup.name}`).")
    if st.button("Restore the backup", icon=":material/history:",
                 help="Serve the backup again; the current database becomes the backup (restore again to undo)."):
        try:
            db.restore_backup(target)
        except db.DatabaseBusy as error:
            st.error(f"The backup was not restored: {error}.", icon=":material/error:")
            st.stop()
        session[DONE] = ("The backup is restored: every page shows it again, and the database it replaced is now "
                         "the backup.")
        st.rerun()
