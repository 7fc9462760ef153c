"""The form changelog is generated from the catalog, and the committed one is current."""

from __future__ import annotations

from assets.feedback.form_changes import CHANGELOG_PATH, form_changelog
from schemas.catalog import load_catalog


def test_committed_changelog_equals_the_generated_one():
    assert CHANGELOG_PATH.read_text(encoding="utf-8") == form_changelog(load_catalog()), (
        "Run: python -m assets.feedback.form_changes"
    )


def test_uppfoljning_utvardering_is_removed_in_2016():
    # Contract section 7: uppfoljning_utvardering is on the 2013–2015 forms only.
    text = form_changelog(load_catalog())
    section_2016 = text.split("## 2016 jämfört med 2015")[1]
    removed = section_2016.split("borttagna frågor")[1]
    assert "`komp_uppfoljning_utvardering_grund`" in removed
    assert "## 2014 jämfört med 2013\n\nInga ändringar." in text
