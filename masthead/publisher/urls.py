from django.urls import path

from masthead.publisher import views

app_name = "publisher"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/<slug:table>.csv", views.export, name="export"),
    path("members/", views.member_list, name="members"),
    path("members/export.csv", views.member_export, name="members-export"),
    path("members/<int:user_id>/", views.member_detail, name="member"),
]
