"""Django's `makemessages`, also finding the message pairs Trygg marks for a count chosen later.

Some phrases are picked in the singular or the plural only when they are shown (the lägesbild's "1 dialog" /
"3 dialoger", kept in snapshots as figures). Their pairs are written as `counted_noun("…", "…")`, which xgettext
learns here as a plural keyword, so `make messages` keeps them in the catalogue instead of marking them obsolete.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=counted_noun:1,2"]
