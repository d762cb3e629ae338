from django.db import models
from django.utils.translation import gettext_lazy as _


class Problem(models.Model):
    """One entry of the shared problem list.

    Focus areas refer to it now; survey items, crime categories, report categories, observations and
    dialogue themes map to it later, so that the evidence can be joined per problem.
    """

    slug = models.SlugField(_("kod"), max_length=60, unique=True)
    name = models.CharField(_("namn"), max_length=120, unique=True)
    description = models.TextField(_("beskrivning"), blank=True)
    order = models.PositiveSmallIntegerField(_("ordning"), default=0)

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problem")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name
