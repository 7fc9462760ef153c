"""Every rule the pipeline can report, in one place.

A rule id is what lands in `quality.file_ledger.reason_code` or `quality.issues.rule`.
Severities follow Statistics Norway's KOSTRA control program:

- FATAL: the file cannot be used at all (a ledger rejection or an unresolved conflict);
- ERROR: a block of the submission is invalid and is left out of every table;
- WARNING: reported, the data are kept.

A municipality reads a severity in the words of `SEVERITY_WORDS` and a rule by its `name`, each
with its code beside it ("Fel – blocket räknas inte (error)"). `description` says in plain Swedish
what the rule checks and what the municipality should do; the per-finding `message` says what was
found in the file. The form specification (docs/INLAMNING.md, `FORM_SPECIFICATION`) lists every
rule with its name and description, in the section `SPECIFICATION_SECTIONS` gives.
"""

from __future__ import annotations

from dataclasses import dataclass

FATAL = "fatal"
ERROR = "error"
WARNING = "warning"
SEVERITIES = (FATAL, ERROR, WARNING)


@dataclass(frozen=True)
class SeverityWords:
    """A severity in Swedish: its name, what it means for the data, and its counted forms."""

    singular: str  # "allvarligt fel"
    plural: str  # "allvarliga fel", also for none
    consequence: str  # "filen används inte"

    @property
    def word(self) -> str:
        """The name as a heading or a table cell: "Allvarligt fel"."""
        return self.singular[0].upper() + self.singular[1:]

    @property
    def label(self) -> str:
        """The name with its consequence: "Allvarligt fel – filen används inte"."""
        return f"{self.word} – {self.consequence}"

    def count(self, number: int) -> str:
        """The number with the word it takes: 1 varning, 2 varningar, 0 varningar."""
        return f"{number} {self.singular if number == 1 else self.plural}"


SEVERITY_WORDS: dict[str, SeverityWords] = {
    FATAL: SeverityWords("allvarligt fel", "allvarliga fel", "filen används inte"),
    ERROR: SeverityWords("fel", "fel", "blocket räknas inte"),
    WARNING: SeverityWords("varning", "varningar", "uppgiften används men bör kontrolleras"),
}

# The form specification for municipalities: the submission contract's sections 1–6 in Swedish,
# with the same section numbers. Texts a municipality reads cite it by this title.
FORM_SPECIFICATION = "Specifikation för inlämning av kompetensinventeringen"


@dataclass(frozen=True)
class Rule:
    rule_id: str
    severity: str
    name: str  # a few words a municipality reads, with the id beside them
    description: str


def _rules(*rules: Rule) -> dict[str, Rule]:
    return {rule.rule_id: rule for rule in rules}


# Contract section 3: why a file is `rejected` (its ledger reason_code), in the order the
# contract decides them: the first that applies is the file's reason.
LEDGER_RULES = _rules(
    Rule(
        "unsupported_type",
        FATAL,
        "Filtypen är varken CSV eller XLSX",
        "Filen är varken .csv eller .xlsx. Skicka in blanketten som CSV eller XLSX.",
    ),
    Rule(
        "symlink",
        FATAL,
        "Filen är en symbolisk länk",
        "Filen är en symbolisk länk och följs aldrig. Lägg den riktiga filen i mappen.",
    ),
    Rule(
        "too_large",
        FATAL,
        "Filen är för stor",
        "Filen är större än 1 MiB (eller packas upp till mer än 20 MiB). Skicka bara blanketten.",
    ),
    Rule("empty", FATAL, "Filen är tom", "Filen är tom. Skicka in den ifyllda blanketten igen."),
    Rule(
        "unreadable",
        FATAL,
        "Filen går inte att läsa",
        "Filen går inte att läsa (fel kodning eller trasigt format). Spara om den som CSV (UTF-8) eller XLSX.",
    ),
    Rule(
        "bad_header",
        FATAL,
        "Rubrikraden är fel",
        "Första raden ska ha kolumnerna fraga och svar. Använd blankettens mall.",
    ),
    Rule(
        "missing_metadata",
        FATAL,
        "Kommunkod, år eller inlämningsdatum saknas",
        "Kommunkod, år eller inlämningsdatum saknas. Fyll i kommunkod, ar och inlamnad.",
    ),
    Rule(
        "unknown_municipality",
        FATAL,
        "Okänd kommunkod",
        "Kommunkoden är inte en av landets 290 kommunkoder. Ange kommunens fyrsiffriga kod.",
    ),
    Rule(
        "bad_year",
        FATAL,
        "Året är inte fyra siffror",
        "Året ska anges med fyra siffror, till exempel 2016.",
    ),
    Rule(
        "year_mismatch",
        FATAL,
        "Året stämmer inte med årsmappen",
        "Året i filen stämmer inte med årsmappen filen ligger i. Kontrollera året.",
    ),
    Rule(
        "bad_timestamp",
        FATAL,
        "Inlämningsdatumet går inte att tolka",
        "Inlämningsdatumet går inte att tolka. Ange datum som ÅÅÅÅ-MM-DD (ISO 8601).",
    ),
    Rule(
        "duplicate_question",
        FATAL,
        "Samma fråga med olika svar",
        "Samma fråga förekommer två gånger med olika svar. Behåll ett svar per fråga.",
    ),
)

# Contract section 3: a conflict is a status, not a rejection (its reason_code is NULL), but
# quality.issues reports it, as fatal for the municipality-year, under this rule.
CONFLICT_RULES = _rules(
    Rule(
        "conflict",
        FATAL,
        "Flera olika filer med samma inlämningstid",
        "Flera olika filer för samma kommun och år har samma senaste inlämningstid; ingen används. Skicka in en rättad fil med senare inlämningstid.",
    ),
)

# Contract section 2: questions outside the form, repeated answers, rows without a delimiter.
READ_RULES = _rules(
    Rule(
        "unknown_question",
        WARNING,
        "Okänd fråga",
        "Frågan finns inte i frågekatalogen och har inte lästs in. Kontrollera frågans id.",
    ),
    Rule(
        "question_not_in_form_year",
        WARNING,
        "Frågan ingår inte i årets blankett",
        "Frågan ingår inte i blanketten för filens år och har inte lästs in.",
    ),
    Rule(
        "repeated_answer",
        WARNING,
        "Samma fråga två gånger med samma svar",
        "Samma fråga förekommer två gånger med samma svar; svaret används en gång.",
    ),
    Rule(
        "row_without_delimiter",
        WARNING,
        "Rad utan avgränsare",
        "Raden har ingen avgränsare mellan fråga och svar (och börjar inte med en fråga i "
        "katalogen följd av en annan avgränsare); den har inte lästs in. Skriv frågans id, "
        "avgränsaren och svaret.",
    ),
)

# Contract section 4: answers and hard rules. A broken one makes its block invalid.
BLOCK_RULES = _rules(
    Rule(
        "missing_answer",
        ERROR,
        "Svar saknas i ett påbörjat block",
        "Blocket är delvis ifyllt: frågan saknar svar. Fyll i alla frågor i blocket (0 om inga).",
    ),
    Rule(
        "unparseable_value",
        ERROR,
        "Svaret går inte att tolka",
        "Svaret går inte att tolka. Ange ett tal (årsarbetare med högst två decimaler) eller ja/nej.",
    ),
    Rule(
        "not_finite",
        ERROR,
        "Svaret är inte ett ändligt tal",
        "Svaret är inte ett ändligt tal. Ange ett tal.",
    ),
    Rule(
        "negative_value",
        ERROR,
        "Svaret är negativt",
        "Svaret är negativt. Antal och årsarbetare kan inte vara mindre än 0.",
    ),
    Rule(
        "not_whole_number",
        ERROR,
        "Antal personer är inte ett heltal",
        "Antal personer ska vara ett heltal.",
    ),
    Rule(
        "A_handl_kon_summa",
        ERROR,
        "Kvinnor + män ska vara lika med totalt",
        "Handläggare kvinnor + män ska vara lika med handläggare totalt.",
    ),
    Rule(
        "A_utan_socionom_kon_summa",
        ERROR,
        "Utan socionomexamen: kvinnor + män ska vara lika med totalt",
        "Handläggare utan socionomexamen: kvinnor + män ska vara lika med totalt.",
    ),
    Rule(
        "A_varav_inom_totalt",
        ERROR,
        "Mindre än 1 års erfarenhet + utan socionomexamen får inte överstiga totalt",
        "Handläggare med socionomexamen och mindre än 1 års erfarenhet plus handläggare utan socionomexamen kan inte vara fler än handläggare totalt.",
    ),
    Rule(
        "A_utan_socionom_kvinnor_inom_kvinnor",
        ERROR,
        "Kvinnor utan socionomexamen får inte överstiga kvinnor",
        "Kvinnor utan socionomexamen kan inte vara fler än kvinnliga handläggare.",
    ),
    Rule(
        "A_utan_socionom_man_inom_man",
        ERROR,
        "Män utan socionomexamen får inte överstiga män",
        "Män utan socionomexamen kan inte vara fler än manliga handläggare.",
    ),
    Rule(
        "B_magister_inom_vidareutbildning",
        ERROR,
        "Magisterutbildning får inte överstiga vidareutbildning",
        "Handläggare med magisterutbildning kan inte vara fler än de med vidareutbildning.",
    ),
    Rule(
        "D_arbl_kon_summa",
        ERROR,
        "Kvinnor + män ska vara lika med totalt",
        "Arbetsledare kvinnor + män ska vara lika med arbetsledare totalt.",
    ),
    Rule(
        "D_forsta_chefsjobb_inom_totalt",
        ERROR,
        "I första chefsjobbet får inte överstiga totalt",
        "Arbetsledare i första chefsjobbet kan inte vara fler än arbetsledare totalt.",
    ),
    Rule(
        "D_behov_kompetensutveckling_inom_totalt",
        ERROR,
        "Behov av kompetensutveckling får inte överstiga totalt",
        "Arbetsledare med behov av kompetensutveckling kan inte vara fler än arbetsledare totalt.",
    ),
    Rule(
        "D_lt3ar_erfarenhet_inom_totalt",
        ERROR,
        "Mindre än 3 års erfarenhet får inte överstiga totalt",
        "Arbetsledare med mindre än 3 års erfarenhet kan inte vara fler än arbetsledare totalt.",
    ),
    Rule(
        "E_magister_inom_vidareutbildning",
        ERROR,
        "Magisterutbildning får inte överstiga vidareutbildning",
        "Arbetsledare med magisterutbildning kan inte vara fler än de med vidareutbildning.",
    ),
)

# Contract section 4: warnings; the data are kept.
WARNING_RULES = _rules(
    Rule(
        "kompetens_over_handl_totalt",
        WARNING,
        "Kompetensnivåerna överstiger handläggare totalt",
        "Grundläggande + fördjupad + saknar kompetens i ett ämnesområde är fler årsarbetare än handläggare totalt. Kontrollera siffrorna.",
    ),
    Rule(
        "fte_over_1000",
        WARNING,
        "Mer än 1 000 årsarbetare i ett svar",
        "Mer än 1 000 årsarbetare i ett svar är osannolikt. Kontrollera att decimaltecknet är rätt.",
    ),
)

# Contract section 6: the grant register, rekvisitioner.csv. The registers decide who is counted
# where, so every problem in them is fatal to the whole refresh: it fails, naming file, line and
# problem, and the published warehouse stays as it was.
REGISTER_RULES = _rules(
    Rule(
        "register_missing",
        FATAL,
        "Rekvisitionsregistret saknas",
        "Årsmappen har inlämningar men ingen rekvisitioner.csv (en symbolisk länk följs inte). Uppdateringen stoppas tills registret finns.",
    ),
    Rule(
        "register_unreadable",
        FATAL,
        "Rekvisitionsregistret går inte att läsa",
        "Rekvisitionsregistret går inte att läsa (inte UTF-8, tomt eller fel rubrikrad). Uppdateringen stoppas tills det är rättat.",
    ),
    Rule(
        "register_bad_row",
        FATAL,
        "Felaktig rad i rekvisitionsregistret",
        "En rad i rekvisitionsregistret har fel antal fält, okänt ändamål eller belopp som inte är hela kronor. Uppdateringen stoppas tills raden är rättad.",
    ),
    Rule(
        "register_unknown_municipality",
        FATAL,
        "Okänd kommunkod i rekvisitionsregistret",
        "Kommunkoden i rekvisitionsregistret är inte en av landets kommunkoder. Uppdateringen stoppas tills raden är rättad.",
    ),
    Rule(
        "register_duplicate_row",
        FATAL,
        "Samma kommun och ändamål två gånger i rekvisitionsregistret",
        "Kommunen har flera rader för samma ändamål i rekvisitionsregistret. Uppdateringen stoppas tills det finns en rad per kommun och ändamål.",
    ),
    Rule(
        "register_missing_row",
        FATAL,
        "Rad saknas i rekvisitionsregistret",
        "Kommunen finns i rekvisitionsregistret men saknar raden för ett av ändamålen. Uppdateringen stoppas tills raden finns, med 0 där inget rekvirerats.",
    ),
    Rule(
        "register_missing_municipality",
        FATAL,
        "Kommun saknas i rekvisitionsregistret",
        "Kommunen saknas i rekvisitionsregistret. Uppdateringen stoppas tills kommunens rader finns, med 0 där inget rekvirerats.",
    ),
)

RULES: dict[str, Rule] = {
    **LEDGER_RULES,
    **CONFLICT_RULES,
    **READ_RULES,
    **BLOCK_RULES,
    **WARNING_RULES,
    **REGISTER_RULES,
}

# Rule id → the section of the form specification that explains it (the contract's section).
SPECIFICATION_SECTIONS: dict[str, int] = {
    **dict.fromkeys(READ_RULES, 2),
    **dict.fromkeys(LEDGER_RULES, 3),
    **dict.fromkeys(CONFLICT_RULES, 3),
    **dict.fromkeys(BLOCK_RULES, 4),
    **dict.fromkeys(WARNING_RULES, 4),
    **dict.fromkeys(REGISTER_RULES, 6),
}
