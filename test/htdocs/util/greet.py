"""A form handler as a user writes one: a text field, a multiple
choice and an optional file upload, read with FieldStorage."""
import hashlib

from mod_python import apache, util


def handler(req):
    form = util.FieldStorage(req)
    name = form.getfirst("name", "stranger")
    colours = form.getlist("colour")

    req.content_type = "text/plain"
    req.write("Hello, %s!\n" % name)
    if colours:
        req.write("You like %s.\n" % ", ".join(colours))

    photo = form.get("photo")
    if photo is not None and photo.filename:
        # Read the upload in pieces: it may be large.
        digest = hashlib.sha256()
        size = 0
        while True:
            piece = photo.file.read(65536)
            if not piece:
                break
            digest.update(piece)
            size += len(piece)
        req.write("%s (%s): %d bytes, sha256 %s\n"
                  % (photo.filename, photo.type, size, digest.hexdigest()))
    return apache.OK
