"""Signals of channels and mirrors, for whoever wants to tell staff (the desk's notifications
could connect here; nothing in channels imports the desk).

mirror_stale(sender=MirrorPush, target=str, since=datetime): a mirror has been behind the
public site for longer than MIRROR_STALE_AFTER_SECONDS (sent at most once an hour per target).
"""

from django.dispatch import Signal

mirror_stale = Signal()
