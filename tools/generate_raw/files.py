"""Submission files as a statistics office receives them (contract section 2).

Most come from the web form (CSV, `;`, decimal comma, UTF-8, every question of the year's
form); others were saved again from Excel (Windows-1252 or UTF-8 with BOM), exported with
`,` and decimal point, tab-separated, or filled in by hand in an XLSX template (kommunkod as
a number, inlamnad as an Excel date, float artefacts). Every file carries a contact person
and e-mail address, which the pipeline must never copy into the warehouse.
"""

from __future__ import annotations

import csv
import io
import math
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import xlsxwriter

from schemas.catalog import load_catalog

from . import design as events
from .answers import Answer, earlier_draft
from .design import EMPTY, VALID, Design, SubmissionPlan
from .randomness import pick, stream, weighted_sample
from .reference import Municipality

FIRST_NAMES = (
    "Anna",
    "Eva",
    "Maria",
    "Karin",
    "Sara",
    "Lena",
    "Kerstin",
    "Emma",
    "Ingrid",
    "Malin",
    "Linnéa",
    "Åsa",
    "Sofia",
    "Johanna",
    "Birgitta",
    "Marie",
    "Helena",
    "Annika",
    "Camilla",
    "Jenny",
    "Ulrika",
    "Therese",
    "Märta",
    "Elin",
    "Ida",
    "Hanna",
    "Louise",
    "Frida",
    "Maja",
    "Agneta",
    "Lars",
    "Anders",
    "Johan",
    "Per",
    "Erik",
    "Mikael",
    "Jonas",
    "Björn",
    "Göran",
    "Håkan",
    "Stefan",
    "Fredrik",
    "Mats",
    "Jörgen",
)
MEN_FROM = FIRST_NAMES.index("Lars")  # names after this are men's: about one contact in six
LAST_NAMES = (
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Pettersson",
    "Jonsson",
    "Jansson",
    "Hansson",
    "Bengtsson",
    "Jönsson",
    "Lindberg",
    "Jakobsson",
    "Magnusson",
    "Lindström",
    "Olofsson",
    "Lindqvist",
    "Lindgren",
    "Berg",
    "Axelsson",
    "Bergström",
    "Lundberg",
    "Lundgren",
    "Lundqvist",
    "Mattsson",
    "Berglund",
    "Fredriksson",
    "Sandberg",
    "Henriksson",
    "Forsberg",
    "Sjöberg",
    "Wallin",
    "Engström",
    "Eklund",
    "Danielsson",
    "Håkansson",
    "Björk",
    "Bergman",
    "Holm",
    "Wikström",
    "Isaksson",
    "Nyström",
    "Holmberg",
    "Löfgren",
    "Söderberg",
    "Nyberg",
    "Blomqvist",
    "Nordström",
    "Mårtensson",
    "Åberg",
    "Öberg",
)
COMMENT = "Två tjänster har varit vakanta under hösten, så siffrorna gäller bemannad tid."
SUBMISSION_WINDOWS = {  # (first day, days) within which inventories came in
    2013: (date(2013, 10, 1), 70),
    2014: (date(2014, 10, 1), 70),
    2015: (date(2015, 10, 1), 70),
    2016: (date(2016, 11, 1), 38),
}


@dataclass(frozen=True)
class Layout:
    """How one kind of upload looks."""

    name: str
    delimiter: str = ";"
    decimal: str = ","
    encoding: str = "utf-8"
    newline: str = "\r\n"
    with_time: bool = False  # inlamnad as date-time (the web form) or date only
    answer_first: bool = False  # header `svar;fraga`

    @property
    def is_xlsx(self) -> bool:
        return self.name == "xlsx"


WEB_FORM = Layout("web_form", with_time=True)
LAYOUTS = (  # (layout, share of uploads)
    (WEB_FORM, 0.62),
    (Layout("excel_utf8_bom", encoding="utf-8-sig"), 0.08),
    (Layout("excel_windows_1252", encoding="cp1252"), 0.10),
    (Layout("comma_point", delimiter=",", decimal=".", newline="\n", with_time=True), 0.06),
    (Layout("tab", delimiter="\t", newline="\n", answer_first=True), 0.05),
    (Layout("xlsx"), 0.09),
)


def ascii_fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


@dataclass(frozen=True)
class Contact:
    name: str
    email: str


def _contact(rng, municipality: Municipality, needs_non_ascii: bool) -> Contact:
    women, men = FIRST_NAMES[:MEN_FROM], FIRST_NAMES[MEN_FROM:]
    first = pick(rng, men if rng.random() < 0.17 else women)
    last_names = [n for n in LAST_NAMES if ascii_fold(n) != n] if needs_non_ascii else LAST_NAMES
    last = pick(rng, last_names)
    domain = ascii_fold(municipality.kommun).lower().replace(" ", "")
    local = f"{ascii_fold(first)}.{ascii_fold(last)}".lower()
    return Contact(f"{first} {last}", f"{local}@{domain}.se")


# ---------------------------------------------------------------- rendering


def _number(value: Decimal, decimal: str) -> str:
    text = format(value.normalize(), "f") if value != value.to_integral_value() else str(int(value))
    return text.replace(".", decimal)


def _text(value: object, layout: Layout) -> str:
    if isinstance(value, Decimal):
        return _number(value, layout.decimal)
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds") if layout.with_time else value.date().isoformat()
    return str(value)


def render_csv(rows: list[tuple[str, object]], layout: Layout, title: str | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=layout.delimiter, lineterminator=layout.newline)
    if title is not None:  # a heading above the table: the header is no longer the first row
        writer.writerow([title])
    header = ["svar", "fraga"] if layout.answer_first else ["fraga", "svar"]
    writer.writerow(header)
    for question_id, value in rows:
        cells = [question_id, "" if value is None else _text(value, layout)]
        writer.writerow(cells[::-1] if layout.answer_first else cells)
    return buffer.getvalue().encode(layout.encoding)


def _float_artefact(value: Decimal) -> float:
    """What Excel stores after arithmetic in a cell: 12.3 becomes 12.300000000000002."""
    return math.nextafter(float(value), math.inf)


def render_xlsx(
    rows: list[tuple[str, object]], created: datetime, artefacts: set[str], title: str | None = None
) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.set_properties({"created": created})
    sheet = workbook.add_worksheet("Blad1")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.set_column(0, 0, 44)
    sheet.set_column(1, 1, 16)
    first_row = 0
    if title is not None:
        sheet.write_string(0, 0, title)
        first_row = 2
    sheet.write_string(first_row, 0, "fraga")
    sheet.write_string(first_row, 1, "svar")
    for row, (question_id, value) in enumerate(rows, start=first_row + 1):
        sheet.write_string(row, 0, question_id)
        if value is None:
            continue
        if isinstance(value, datetime):
            sheet.write_datetime(row, 1, value, date_format)
        elif isinstance(value, int):
            sheet.write_number(row, 1, value)
        elif isinstance(value, Decimal):
            if question_id in artefacts:
                sheet.write_number(row, 1, _float_artefact(value))
            elif value == value.to_integral_value():
                sheet.write_number(row, 1, int(value))
            else:
                sheet.write_number(row, 1, float(value))
        else:
            sheet.write_string(row, 1, str(value))
    workbook.close()
    return _stable_zip(buffer.getvalue())


def _stable_zip(data: bytes) -> bytes:
    """The same archive with every platform- and zlib-dependent byte fixed: stored entries,
    a fixed date, MS-DOS attributes. Byte-identical on every machine, still a valid XLSX."""
    source = zipfile.ZipFile(io.BytesIO(data))
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w", zipfile.ZIP_STORED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.create_system = 0
            entry.external_attr = 0
            target.writestr(entry, source.read(info.filename), compress_type=zipfile.ZIP_STORED)
    return target_buffer.getvalue()


# ---------------------------------------------------------------- one submission


@dataclass(frozen=True)
class Upload:
    """One file in raw/<year>/inventering/."""

    file_name: str
    content: bytes
    kommunkod: str
    note: str = ""  # what the ledger and validation should make of it, where it is special


def _rows(
    ar: int,
    kommunkod: object,
    inlamnad: datetime,
    contact: Contact | None,
    answers: dict[str, Answer],
    capitalise: bool = False,
) -> list[tuple[str, object]]:
    """Every question of the year's form in catalog order, unanswered ones empty."""
    meta = {
        "kommunkod": kommunkod,
        "ar": ar,
        "inlamnad": inlamnad,
        "kontaktperson": contact.name if contact else None,
        "kontakt_epost": contact.email if contact else None,
    }
    rows = []
    for question in load_catalog().form(ar):
        value = (
            meta[question.question_id]
            if question.block == "meta"
            else answers.get(question.question_id)
        )
        if capitalise and isinstance(value, str) and question.kind.startswith("yes"):
            value = value.capitalize()  # typed by hand: "Ja", "Delvis"
        rows.append((question.question_id, value))
    return rows


def _file_name(layout: Layout, municipality: Municipality, ar: int, rng, taken: set[str]) -> str:
    slug = ascii_fold(municipality.kommun).replace(" ", "_")
    options = {
        "web_form": [f"Kompetensinventering_{ar}_{slug}.csv"],
        "excel_utf8_bom": [
            f"kompetensinventering {ascii_fold(municipality.kommun)} {ar}.csv",
            f"Kompetensinventering_{ar}_{slug}_rattad.csv",
        ],
        "excel_windows_1252": [
            f"{municipality.kommunkod}_kompetensinventering.csv",
            f"Inventering_{slug}.csv",
        ],
        "comma_point": [f"kompetensinventering-{slug.lower()}-{ar}.csv"],
        "tab": [f"export_{municipality.kommunkod}.csv", "export.csv"],
        "xlsx": [
            f"Kompetensinventering {ar} {ascii_fold(municipality.kommun)}.xlsx",
            "inventering.xlsx",
            "Kopia av blankett_kompetensinventering.xlsx",
        ],
    }[layout.name]
    return _unique(pick(rng, options), taken)


def _unique(name: str, taken: set[str]) -> str:
    stem, _, suffix = name.rpartition(".")
    candidate, copy = name, 1
    while candidate in taken:
        copy += 1
        candidate = f"{stem} ({copy}).{suffix}"
    taken.add(candidate)
    return candidate


def _render(layout: Layout, rows, created: datetime, rng, title: str | None = None) -> bytes:
    if layout.is_xlsx:
        fte_rows = [q for q, v in rows if isinstance(v, Decimal) and v != v.to_integral_value()]
        artefacts = set(
            weighted_sample(rng, fte_rows, [1.0] * len(fte_rows), min(2, len(fte_rows)))
        )
        return render_xlsx(rows, created, artefacts, title)
    return render_csv(rows, layout, title)


class _Mailbox:
    """Writes the uploads of one year in the order they arrived."""

    def __init__(self, ar: int, municipalities: dict[str, Municipality]):
        self.ar = ar
        self.municipalities = municipalities
        self.taken: set[str] = set()
        self.uploads: list[Upload] = []
        self.rng = stream(f"files-{ar}")
        layouts, shares = zip(*LAYOUTS, strict=True)
        self.layouts, self.shares = list(layouts), list(shares)

    def submission_time(self, day: date | None = None) -> datetime:
        """An office-hours time on `day`, by default a day in the year's submission window."""
        if day is None:
            first_day, days = SUBMISSION_WINDOWS[self.ar]
            day = first_day + timedelta(days=int(self.rng.random() * days))
        minutes = 8 * 60 + int(self.rng.random() * 9 * 60)
        return datetime(
            day.year, day.month, day.day, minutes // 60, minutes % 60, int(self.rng.random() * 60)
        )

    def add(
        self,
        layout: Layout,
        municipality: Municipality,
        rows,
        inlamnad: datetime,
        note: str,
        title: str | None = None,
    ) -> Upload:
        name = _file_name(layout, municipality, self.ar, self.rng, self.taken)
        upload = Upload(
            name, _render(layout, rows, inlamnad, self.rng, title), municipality.kommunkod, note
        )
        self.uploads.append(upload)
        return upload

    def post(self, plan: SubmissionPlan, answers: dict[str, Answer]) -> None:
        municipality = self.municipalities[plan.kommunkod]
        layout = weighted_sample(self.rng, self.layouts, self.shares, 1)[0]
        contact = (
            None
            if self.rng.random() < 0.04
            else _contact(self.rng, municipality, needs_non_ascii=layout.encoding == "cp1252")
        )
        inlamnad = self.submission_time()
        # An earlier version (superseded, or rejected and sent again) went in days before.
        earlier = self.submission_time(
            inlamnad.date() - timedelta(days=2 + int(self.rng.random() * 10))
        )

        def rows_of(
            content: dict[str, Answer], sent: datetime, written_as: Layout = layout
        ) -> list[tuple[str, object]]:
            if not written_as.with_time:  # typed by hand: a date without time
                sent = datetime(sent.year, sent.month, sent.day)
            # Excel drops the leading zero of a kommunkod typed into a cell: 0180 becomes 180.
            kommunkod = int(plan.kommunkod) if written_as.is_xlsx else plan.kommunkod
            return _rows(self.ar, kommunkod, sent, contact, content, capitalise=written_as.is_xlsx)

        if events.ONLY_REJECTED in plan.events:  # a scanned PDF, never followed by the form
            name = _unique(
                f"Kompetensinventering {self.ar} {ascii_fold(municipality.kommun)}.pdf", self.taken
            )
            self.uploads.append(
                Upload(
                    name,
                    b"%PDF-1.4\n% inskannad blankett\n%%EOF\n",
                    plan.kommunkod,
                    "rejected: unsupported_type; the municipality's only file",
                )
            )
            return
        if events.EARLIER_VERSION in plan.events:
            self.add(
                WEB_FORM,
                municipality,
                rows_of(earlier_draft(answers), earlier, WEB_FORM),
                earlier,
                "superseded: a corrected file with a later inlamnad follows",
            )
        if events.REJECTED_FIRST in plan.events:
            self._post_rejected(
                plan.rejection, layout, municipality, rows_of(answers, earlier), earlier
            )

        rows = rows_of(answers, inlamnad)
        notes = [
            f"block {block} {state}"
            for block, state in plan.blocks.items()
            if state not in (VALID, EMPTY)
        ]
        if events.COMMENT_ROW in plan.events:
            rows.append(("kommentar", COMMENT))
            notes.append("warning unknown_question (kommentar)")
        if (
            events.OLD_TEMPLATE in plan.events
        ):  # last period's template: a subarea the 2016 form dropped
            rows += [
                (
                    f"komp_uppfoljning_utvardering_{level}",
                    answers[f"komp_evidensbaserad_praktik_{level}"],
                )
                for level in ("grund", "fordjupad", "saknar")
            ]
            notes.append("warning question_not_in_form_year (komp_uppfoljning_utvardering_*)")
        if events.REPEATED_ROW in plan.events:
            rows.append(next(row for row in rows if row[0] == "handl_totalt"))
            notes.append("warning repeated_answer (handl_totalt)")
        if events.COMPETENCE_OVER_STAFF in plan.events:
            notes.append("warning kompetens_over_handl_totalt (familjerätt)")
        if not plan.counted:
            notes.append("first year 2016: in no table")
        upload = self.add(layout, municipality, rows, inlamnad, "; ".join(notes))
        if events.SENT_TWICE in plan.events:
            copy_name = _unique(upload.file_name, self.taken)
            # The ledger keeps the first in path order and marks the other `duplicate`.
            kept, dropped = sorted([upload.file_name, copy_name])
            self.uploads[-1] = Upload(kept, upload.content, plan.kommunkod, upload.note)
            self.uploads.append(
                Upload(dropped, upload.content, plan.kommunkod, f"duplicate of {kept}")
            )

    def _post_rejected(
        self,
        reason: str,
        layout: Layout,
        municipality: Municipality,
        rows: list[tuple[str, object]],
        sent: datetime,
    ) -> None:
        """A file the ledger rejects for `reason` (the municipality then sends it again)."""

        def replaced(question_id: str, value: object) -> list[tuple[str, object]]:
            return [(q, value if q == question_id else v) for q, v in rows]

        title = None
        match reason:
            case "year_mismatch":  # the year of last period's inventory left in the form
                rows = replaced("ar", self.ar - 1)
            case "unknown_municipality":  # a typo in kommunkod
                code = municipality.kommunkod
                typos = (
                    code[:2] + code[3] + code[2],
                    code[0] + code[2] + code[1] + code[3],
                    code[:2] + "00",
                )
                rows = replaced("kommunkod", next(t for t in typos if t not in self.municipalities))
            case "missing_metadata":
                rows = [(q, v) for q, v in rows if q != "inlamnad"]
            case "bad_timestamp":
                rows = replaced("inlamnad", f"vecka {sent.isocalendar().week}")
            case "bad_header":  # a heading above the table
                title = f"Kompetensinventering {self.ar} – {municipality.kommun} kommun"
            case _:
                raise ValueError(f"no way to make a file rejected for {reason}")
        self.add(
            layout,
            municipality,
            rows,
            sent,
            f"rejected: {reason}; sent again correctly later",
            title,
        )


def build_uploads(
    design: Design,
    answers: dict[int, dict[str, dict[str, Answer]]],
    municipalities: tuple[Municipality, ...],
) -> dict[int, list[Upload]]:
    """year → the files of raw/<year>/inventering/."""
    by_code = {m.kommunkod: m for m in municipalities}
    uploads = {}
    for ar, plans in sorted(design.plans.items()):
        mailbox = _Mailbox(ar, by_code)
        for code in sorted(plans):
            mailbox.post(plans[code], answers[ar][code])
        uploads[ar] = mailbox.uploads
    return uploads
