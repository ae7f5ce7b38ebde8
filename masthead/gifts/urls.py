from django.urls import path

from masthead.gifts import views

app_name = "gifts"

urlpatterns = [
    path("new/", views.gift_new, name="new"),
    path("<int:gift_id>/revoke/", views.gift_revoke, name="revoke"),
]
