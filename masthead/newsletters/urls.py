from django.urls import path

from masthead.newsletters import views

app_name = "newsletters"
urlpatterns = [
    path("sign-up/", views.signup, name="signup"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("preferences/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("<slug:slug>/", views.newsletter_archive, name="archive"),
    path("<slug:slug>/<int:issue_id>/", views.issue_page, name="issue"),
]
