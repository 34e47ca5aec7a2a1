from django.shortcuts import redirect, render

from .models import Note


def notes(request):
    """GET lists the notes; POST (with the CSRF token) saves one."""
    if request.method == "POST":
        Note.objects.create(text=request.POST["text"])
        return redirect("notes")
    return render(request, "notes/list.html",
                  {"notes": Note.objects.all()})
