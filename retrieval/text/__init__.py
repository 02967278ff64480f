"""The lowest room: text tools every stage shares. Safe text (controls and escapes
stripped), Indonesian-aware terms and stems, one notion of a sentence, what a
question asks about, dates, URLs, and the word lists in `data/`.

What the rest of tanya may import from this room is listed in `__init__.pyi`;
its modules load on first use (lazy_loader), so importing one name does not
import the whole room.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach_stub(__name__, __file__)
