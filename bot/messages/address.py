"""How the bot addresses people.

Every text the bot ships (message catalog, knowledge base, tips) is written with "anh/chị", the
default CONTENT.md asks for. A province that prefers the friendlier "bạn" sets
`ADDRESS_FORM=bạn`; the texts are then rewritten once, when they are loaded. "anh/chị" and "bạn"
are both plain second-person forms in Vietnamese and take the same place in a sentence ("Anh/chị
có thể…" → "Bạn có thể…", "của anh/chị" → "của bạn"), so a word-for-word swap reads naturally.
What people typed is never rewritten: only the shipped texts go through here.
"""

from __future__ import annotations

DEFAULT = "anh/chị"
ADDRESS_FORMS = (DEFAULT, "bạn")
_SPELLINGS = {  # how operators may write the setting (an .env file may lack diacritics)
    "anh/chị": "anh/chị",
    "anh/chi": "anh/chị",
    "anh_chi": "anh/chị",
    "bạn": "bạn",
    "ban": "bạn",
}
_SWAPS = {"bạn": (("Anh/chị", "Bạn"), ("ANH/CHỊ", "BẠN"), ("anh/chị", "bạn"))}


def parse_address_form(value: str) -> str:
    """The canonical form for a setting value; ValueError for anything else."""
    form = _SPELLINGS.get(value.strip().lower())
    if form is None:
        raise ValueError(f"ADDRESS_FORM phải là một trong: {', '.join(ADDRESS_FORMS)}")
    return form


def readdress(text: str, form: str) -> str:
    """`text` (written with "anh/chị") as it reads in `form`."""
    for old, new in _SWAPS.get(form, ()):
        text = text.replace(old, new)
    return text
