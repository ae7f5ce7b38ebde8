from django.urls import path

from masthead.publisher import views

app_name = "publisher"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/<slug:table>.csv", views.export, name="export"),
]
