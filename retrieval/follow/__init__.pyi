from .follow_store import FollowedSource as FollowedSource
from .follow_store import FollowStore as FollowStore
from .polling import (
    PollResult as PollResult,
)
from .polling import (
    Watcher as Watcher,
)
from .polling import (
    check_followable as check_followable,
)
