from django.urls import path

from masthead.comments import views

app_name = "comments"

urlpatterns = [
    path("articles/<int:article_id>/", views.comment_post, name="post"),
    path("<int:comment_id>/edit/", views.comment_edit, name="edit"),
    path("<int:comment_id>/delete/", views.comment_delete, name="delete"),
    path("<int:comment_id>/report/", views.comment_report, name="report"),
    path("preferences/", views.preferences, name="preferences"),
]
