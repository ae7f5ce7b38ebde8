from django.urls import path

from masthead.newsletters import admin_views

app_name = "newsletters_admin"
urlpatterns = [path("send/<int:page_id>/", admin_views.send_article, name="send")]
