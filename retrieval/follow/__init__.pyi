from .follow_store import FollowedSource as FollowedSource, FollowStore as FollowStore
from .polling import (
    PollResult as PollResult,
    Watcher as Watcher,
    check_followable as check_followable,
)
