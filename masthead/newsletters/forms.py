from django import forms


class SignupForm(forms.Form):
    email = forms.EmailField(max_length=254, label="Your e-mail address")
    newsletter = forms.TypedMultipleChoiceField(coerce=int, choices=(), label="Newsletters")

    def __init__(self, *args, newsletters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["newsletter"].choices = [(n.pk, n.name) for n in newsletters]
        self.fields["newsletter"].error_messages["required"] = "Choose at least one newsletter."
