from django.apps import AppConfig


class TaxonomyConfig(AppConfig):
    name = "liaison.taxonomy"
    label = "taxonomy"
    verbose_name = "Taxonomy"
