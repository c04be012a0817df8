"""External estimates that registered numbers are read against."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class MigrantStock(models.Model):
    """People born in ``origin`` living in ``destination`` in ``year``, as estimated by the
    World Bank (Bilateral Estimates of Migrant Stocks)."""

    origin = CountryField(_("country of origin"))
    destination = CountryField(_("country of residence"))
    year = models.PositiveSmallIntegerField(_("year"))
    stock = models.PositiveIntegerField(_("migrants"))
    source = models.CharField(_("source"), max_length=200)

    class Meta:
        verbose_name = _("migrant stock estimate")
        verbose_name_plural = _("migrant stock estimates")
        constraints = [
            models.UniqueConstraint(
                fields=["origin", "destination", "year"], name="unique_migrant_stock"
            )
        ]
        indexes = [models.Index(fields=["origin", "year"], name="migrant_stock_origin_idx")]

    def __str__(self) -> str:
        return f"{self.origin.code}→{self.destination.code} {self.year}: {self.stock}"
