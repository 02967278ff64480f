"""The dateline that opens a news article ("JAKARTA, KOMPAS.com -"): where
the outlet and the place are read (`retrieval.ingest.cleaning`), and what is
never quoted as an answer (`retrieval.answer.extractive`). Here, in the text
room, so the answerer does not import the cleaning pipeline (and ftfy) on a
cold `tanya ask`."""

from __future__ import annotations

import re

# "SURIAH (Jurnalislamcom) –", "JAKARTA, KOMPAS.com -", "Jakarta, CNN Indonesia --",
# "TEMPO.CO, Jakarta -", "JAKARTA (ANTARA) -", "Liputan6.com, Jakarta:"
DATELINE = re.compile(
    r"^(?P<dateline>"
    r"(?P<lead>[A-Za-z0-9][\w.]{1,25}\.(?i:com|co|id|net))\s*,\s*(?P<place2>[A-Z][A-Za-z .]{1,30}?)"
    r"|(?P<place>[A-Z][A-Za-z .'/]{1,40}?)\s*"
    r"(?:\((?P<paren>[^()]{2,40})\)|,\s*(?P<comma>[A-Za-z0-9][\w .]{1,30}?))"
    r")\s*(?:[-–—]{1,2}|:)\s+"
)


# "JAKARTA (Tempo.co)" on a line of its own, the text on the next line: no
# dash, so the form alone says it (a place in capitals, an outlet in brackets),
# and only as a whole line ("KPK (Komisi ...) menetapkan" starts a sentence).
LINE_DATELINE = re.compile(
    r"(?P<dateline>(?P<place>[A-Z][A-Z .'/]{1,40}?)\s*\((?P<paren>[^()]{2,40})\))"
)
