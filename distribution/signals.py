"""Signals of sends.

distribution_finished(sender=Distribution, distribution_id=int): a send has no message left
to try (state done). Sent inside the transaction that marks it done, by whoever marks it (one
UPDATE decides), so a receiver's rows (the desk's notifications) commit with it.
"""

from django.dispatch import Signal

distribution_finished = Signal()
