from django.contrib import admin
from django.urls import path

from djsite.notes import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("notes/", views.notes, name="notes"),
]
