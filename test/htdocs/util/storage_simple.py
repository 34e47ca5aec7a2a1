"""Manual 4.6.2, "Simple file control using class constructor", in
Python 3: the file_callback is the Storage class itself.  Storage is an
io.FileIO (the Python 3 counterpart of the old built-in ``file``), so an
upload goes straight to a file named by the application, and that file
is removed when FieldStorage closes it at the end of the request."""
import io
import json
import os
import secrets

from mod_python import apache, util

# Where uploads go: set from "PythonOption upload_dir ..." below.  (A
# class-level setting like this is shared by every site this interpreter
# serves; the factory in storage_factory.py avoids that.)
UPLOAD_DIR = "/tmp"


class Storage(io.FileIO):

    def __init__(self, advisory_filename):
        self.advisory_filename = advisory_filename
        self.delete_on_close = True
        self.already_deleted = False
        self.real_filename = os.path.join(
            UPLOAD_DIR, "thingy-" + secrets.token_hex(8))
        super().__init__(self.real_filename, "w+b")

    def close(self):
        if self.already_deleted:
            return
        super().close()
        if self.delete_on_close:
            self.already_deleted = True
            os.remove(self.real_filename)


def handler(req):
    global UPLOAD_DIR
    UPLOAD_DIR = req.get_options()["upload_dir"]
    request_data = util.FieldStorage(req, keep_blank_values=True,
                                     file_callback=Storage)
    upload = request_data["upload"]
    with open(upload.file.real_filename, "rb") as f:
        on_disk = f.read()
    req.content_type = "application/json"
    req.write(json.dumps({
        "file_class": type(upload.file).__name__,
        "advisory_filename": upload.file.advisory_filename,
        "filename": upload.filename,
        "real_filename": upload.file.real_filename,
        "same_on_disk": on_disk == upload.value,
        "size": len(upload.value),
        "blank": request_data.getfirst("blank"),
    }))
    return apache.OK
