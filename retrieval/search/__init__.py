"""Questions before search: the period a question names ("minggu lalu",
"tahun 2017") as a date filter, resolved against today.

What the rest of tanya may import from this room is listed in `__init__.pyi`;
its modules load on first use (lazy_loader), so importing one name does not
import the whole room.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach_stub(__name__, __file__)
