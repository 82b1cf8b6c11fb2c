from caiq.forms import CatalogUploadForm


class CcmUploadForm(CatalogUploadForm):
    """The catalog upload's field and size check, for the CCM workbook."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["workbook"]
        field.label = "CSA's Cloud Controls Matrix workbook (.xlsx)"
        field.help_text = "The CCM workbook downloaded from the Cloud Security Alliance."
