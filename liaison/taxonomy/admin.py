from django.contrib import admin

from liaison.taxonomy.models import IscoGroup, Occupation, Skill, SkillGroup, TaxonomyImport


@admin.register(IscoGroup)
class IscoGroupAdmin(admin.ModelAdmin[IscoGroup]):
    list_display = ["code", "label"]
    search_fields = ["code", "label"]


@admin.register(Occupation)
class OccupationAdmin(admin.ModelAdmin[Occupation]):
    list_display = ["label", "code", "isco_group"]
    search_fields = ["label", "code"]
    raw_id_fields = ["isco_group", "broader"]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin[Skill]):
    list_display = ["label", "reuse_level", "skill_type"]
    search_fields = ["label"]


@admin.register(SkillGroup)
class SkillGroupAdmin(admin.ModelAdmin[SkillGroup]):
    list_display = ["code", "label"]
    search_fields = ["code", "label"]


@admin.register(TaxonomyImport)
class TaxonomyImportAdmin(admin.ModelAdmin[TaxonomyImport]):
    list_display = ["started_at", "source", "actor"]
    readonly_fields = ["started_at", "source", "actor", "counts"]
