from django.db import models


class RateLimitCounter(models.Model):
    """Requests counted per key and window, in the database so that every application process shares them."""

    key = models.CharField(max_length=200)
    window_start = models.BigIntegerField()
    # When the window closes (seconds since the epoch): the counter is worth nothing after that and is purged.
    window_end = models.BigIntegerField(default=0)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="ratelimit_unique_window")
        ]
        indexes = [models.Index(fields=["window_start"]), models.Index(fields=["window_end"])]

    def __str__(self) -> str:
        return f"{self.key}@{self.window_start}: {self.count}"


class PageGeneration(models.Model):
    """One number that every committed write to public data raises; cached pages are filed under it (row 1;
    the rows of trygg.core.pagecache.SCOPES hold the numbers of a few tables residents write often).

    A process that reads a new number no longer finds the pages it cached under the old one, so the
    invalidation reaches every process even when each keeps its pages in its own memory."""

    number = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.number)


class KeyingSecret(models.Model):
    """A random secret for one day, with which client addresses are keyed (HMAC) in rate-limit counters and
    comment flags. Deleted after its day: then even a copy of the whole database and SECRET_KEY cannot tell
    which address a stored key came from."""

    day = models.DateField(unique=True)
    secret = models.CharField(max_length=64)

    def __str__(self) -> str:
        return str(self.day)
