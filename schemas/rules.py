"""Every rule the pipeline can report, in one place.

A rule id is what lands in `quality.file_ledger.reason_code` or `quality.issues.rule`.
Severities follow Statistics Norway's KOSTRA control program:

- FATAL: the file cannot be used at all (a ledger rejection or an unresolved conflict);
- ERROR: a block of the submission is invalid and is left out of every table;
- WARNING: reported, the data are kept.

`description` says in plain Swedish what the rule checks and what the municipality should do;
the per-finding `message` says what was found in the file.
"""

from __future__ import annotations

from dataclasses import dataclass

FATAL = "fatal"
ERROR = "error"
WARNING = "warning"
SEVERITIES = (FATAL, ERROR, WARNING)


@dataclass(frozen=True)
class Rule:
    rule_id: str
    severity: str
    description: str


def _rules(*rules: Rule) -> dict[str, Rule]:
    return {rule.rule_id: rule for rule in rules}


# Contract section 3: why a file is `rejected` (its ledger reason_code), in the order the
# contract decides them: the first that applies is the file's reason.
LEDGER_RULES = _rules(
    Rule(
        "unsupported_type",
        FATAL,
        "Filen är varken .csv eller .xlsx. Skicka in blanketten som CSV eller XLSX.",
    ),
    Rule(
        "symlink",
        FATAL,
        "Filen är en symbolisk länk och följs aldrig. Lägg den riktiga filen i mappen.",
    ),
    Rule(
        "too_large",
        FATAL,
        "Filen är större än 1 MiB (eller packas upp till mer än 20 MiB). Skicka bara blanketten.",
    ),
    Rule("empty", FATAL, "Filen är tom. Skicka in den ifyllda blanketten igen."),
    Rule(
        "unreadable",
        FATAL,
        "Filen går inte att läsa (fel kodning eller trasigt format). Spara om den som CSV (UTF-8) eller XLSX.",
    ),
    Rule(
        "bad_header",
        FATAL,
        "Första raden ska ha kolumnerna fraga och svar. Använd blankettens mall.",
    ),
    Rule(
        "missing_metadata",
        FATAL,
        "Kommunkod, år eller inlämningsdatum saknas. Fyll i kommunkod, ar och inlamnad.",
    ),
    Rule(
        "unknown_municipality",
        FATAL,
        "Kommunkoden är inte en av landets 290 kommunkoder. Ange kommunens fyrsiffriga kod.",
    ),
    Rule("bad_year", FATAL, "Året ska anges med fyra siffror, till exempel 2016."),
    Rule(
        "year_mismatch",
        FATAL,
        "Året i filen stämmer inte med årsmappen filen ligger i. Kontrollera året.",
    ),
    Rule(
        "bad_timestamp",
        FATAL,
        "Inlämningsdatumet går inte att tolka. Ange datum som ÅÅÅÅ-MM-DD (ISO 8601).",
    ),
    Rule(
        "duplicate_question",
        FATAL,
        "Samma fråga förekommer två gånger med olika svar. Behåll ett svar per fråga.",
    ),
)

# Contract section 3: a conflict is a status, not a rejection (its reason_code is NULL), but
# quality.issues reports it, as fatal for the municipality-year, under this rule.
CONFLICT_RULES = _rules(
    Rule(
        "conflict",
        FATAL,
        "Flera olika filer för samma kommun och år har samma senaste inlämningstid; ingen används. Skicka in en rättad fil med senare inlämningstid.",
    ),
)

# Contract section 2: questions outside the form, repeated answers.
READ_RULES = _rules(
    Rule(
        "unknown_question",
        WARNING,
        "Frågan finns inte i frågekatalogen och har inte lästs in. Kontrollera frågans id.",
    ),
    Rule(
        "question_not_in_form_year",
        WARNING,
        "Frågan ingår inte i det årets blankett och har inte lästs in.",
    ),
    Rule(
        "repeated_answer",
        WARNING,
        "Samma fråga förekommer två gånger med samma svar; svaret används en gång.",
    ),
)

# Contract section 4: answers and hard rules. A broken one makes its block invalid.
BLOCK_RULES = _rules(
    Rule(
        "missing_answer",
        ERROR,
        "Blocket är delvis ifyllt: frågan saknar svar. Fyll i alla frågor i blocket (0 om inga).",
    ),
    Rule(
        "unparseable_value",
        ERROR,
        "Svaret går inte att tolka. Ange ett tal (årsarbetare med högst två decimaler) eller ja/nej.",
    ),
    Rule("not_finite", ERROR, "Svaret är inte ett ändligt tal. Ange ett tal."),
    Rule(
        "negative_value",
        ERROR,
        "Svaret är negativt. Antal och årsarbetare kan inte vara mindre än 0.",
    ),
    Rule("not_whole_number", ERROR, "Antal personer ska vara ett heltal."),
    Rule(
        "A_handl_kon_summa",
        ERROR,
        "Handläggare kvinnor + män ska vara lika med handläggare totalt.",
    ),
    Rule(
        "A_utan_socionom_kon_summa",
        ERROR,
        "Handläggare utan socionomexamen, kvinnor + män ska vara lika med totalt.",
    ),
    Rule(
        "A_varav_inom_totalt",
        ERROR,
        "Handläggare med socionomexamen < 1 år plus handläggare utan socionomexamen kan inte överstiga handläggare totalt.",
    ),
    Rule(
        "A_utan_socionom_kvinnor_inom_kvinnor",
        ERROR,
        "Kvinnor utan socionomexamen kan inte vara fler än kvinnliga handläggare.",
    ),
    Rule(
        "A_utan_socionom_man_inom_man",
        ERROR,
        "Män utan socionomexamen kan inte vara fler än manliga handläggare.",
    ),
    Rule(
        "B_magister_inom_vidareutbildning",
        ERROR,
        "Handläggare med magisterutbildning kan inte vara fler än de med vidareutbildning.",
    ),
    Rule(
        "D_arbl_kon_summa",
        ERROR,
        "Arbetsledare kvinnor + män ska vara lika med arbetsledare totalt.",
    ),
    Rule(
        "D_forsta_chefsjobb_inom_totalt",
        ERROR,
        "Arbetsledare i första chefsjobbet kan inte vara fler än arbetsledare totalt.",
    ),
    Rule(
        "D_behov_kompetensutveckling_inom_totalt",
        ERROR,
        "Arbetsledare med behov av kompetensutveckling kan inte vara fler än arbetsledare totalt.",
    ),
    Rule(
        "D_lt3ar_erfarenhet_inom_totalt",
        ERROR,
        "Arbetsledare med mindre än 3 års erfarenhet kan inte vara fler än arbetsledare totalt.",
    ),
    Rule(
        "E_magister_inom_vidareutbildning",
        ERROR,
        "Arbetsledare med magisterutbildning kan inte vara fler än de med vidareutbildning.",
    ),
)

# Contract section 4: warnings; the data are kept.
WARNING_RULES = _rules(
    Rule(
        "kompetens_over_handl_totalt",
        WARNING,
        "Grundläggande + fördjupad + saknar kompetens i ett ämnesområde är fler årsarbetare än handläggare totalt. Kontrollera siffrorna.",
    ),
    Rule(
        "fte_over_1000",
        WARNING,
        "Mer än 1000 årsarbetare i ett svar är osannolikt. Kontrollera att decimaltecknet är rätt.",
    ),
)

# Contract section 6: the grant register, rekvisitioner.csv. The registers decide who is counted
# where, so every problem in them is fatal to the whole refresh: it fails, naming file, line and
# problem, and the published warehouse stays as it was.
REGISTER_RULES = _rules(
    Rule(
        "register_missing",
        FATAL,
        "Årsmappen har inlämningar men ingen rekvisitioner.csv (en symbolisk länk följs inte). Uppdateringen stoppas tills registret finns.",
    ),
    Rule(
        "register_unreadable",
        FATAL,
        "Rekvisitionsregistret går inte att läsa (inte UTF-8, tomt eller fel rubrikrad). Uppdateringen stoppas tills det är rättat.",
    ),
    Rule(
        "register_bad_row",
        FATAL,
        "En rad i rekvisitionsregistret har fel antal fält, okänt ändamål eller belopp som inte är hela kronor. Uppdateringen stoppas tills raden är rättad.",
    ),
    Rule(
        "register_unknown_municipality",
        FATAL,
        "Kommunkoden i rekvisitionsregistret är inte en av landets kommunkoder. Uppdateringen stoppas tills raden är rättad.",
    ),
    Rule(
        "register_duplicate_row",
        FATAL,
        "Kommunen har flera rader för samma ändamål i rekvisitionsregistret. Uppdateringen stoppas tills det finns en rad per kommun och ändamål.",
    ),
    Rule(
        "register_missing_municipality",
        FATAL,
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
