from django import forms
from django.conf import settings

from bridge.models import ReviewItem

ENCODINGS = [
    ("", "Detect (UTF-8, else the configured fallback)"),
    ("utf-8", "UTF-8"),
    ("cp1252", "Windows-1252"),
    ("latin-1", "ISO-8859-1 (Latin-1)"),
    ("cp852", "DOS Central European (cp852)"),
]


class StatementUploadForm(forms.Form):
    statement_file = forms.FileField(
        label="MT940 statement file", help_text="As the sponsor bank exports it (.sta, .txt, .940)."
    )
    encoding = forms.ChoiceField(choices=ENCODINGS, required=False, label="Encoding")

    def clean_statement_file(self):
        upload = self.cleaned_data["statement_file"]
        limit = settings.BRIDGE_STATEMENT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(f"The file has {upload.size:,} bytes; at most {limit:,} are accepted.")
        return upload


class ReviewCloseForm(forms.Form):
    action = forms.ChoiceField(choices=[(ReviewItem.Status.RESOLVED, "Resolve"), (ReviewItem.Status.IGNORED, "Ignore")])
    note = forms.CharField(required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}), label="Note")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == ReviewItem.Status.RESOLVED and not cleaned.get("note", "").strip():
            self.add_error("note", "Say how the line was resolved.")
        return cleaned
