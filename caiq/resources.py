"""django-import-export resources: the catalog tables as flat exports (CSV, XLSX, JSON).

Export only: catalog content enters solely through CSA's workbook and caiq.services.
"""

from import_export import fields, resources

from .models import Control, Domain, Question


class DomainResource(resources.ModelResource):
    version = fields.Field(attribute="version__caiq_version", column_name="caiq_version")

    class Meta:
        model = Domain
        fields = ("version", "code", "title", "position")
        export_order = fields


class ControlResource(resources.ModelResource):
    version = fields.Field(attribute="version__caiq_version", column_name="caiq_version")
    domain = fields.Field(attribute="domain__code", column_name="domain")

    class Meta:
        model = Control
        fields = ("version", "domain", "code", "title", "specification", "position")
        export_order = fields


class QuestionResource(resources.ModelResource):
    version = fields.Field(attribute="version__caiq_version", column_name="caiq_version")
    control = fields.Field(attribute="control__code", column_name="control")

    class Meta:
        model = Question
        fields = ("version", "control", "code", "text", "position", "row")
        export_order = fields
