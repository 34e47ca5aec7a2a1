"""Manual 4.6.2, "Advanced file control using object factory", in
Python 3: the file_callback is a bound method of a factory that knows
the directory, so nothing is stored on the class."""
import io
import json
import os
import secrets

from mod_python import apache, util


class Storage(io.FileIO):

    def __init__(self, directory, advisory_filename):
        self.advisory_filename = advisory_filename
        self.delete_on_close = True
        self.already_deleted = False
        self.real_filename = os.path.join(
            directory, "thingy-" + secrets.token_hex(8))
        super().__init__(self.real_filename, "w+b")

    def close(self):
        if self.already_deleted:
            return
        super().close()
        if self.delete_on_close:
            self.already_deleted = True
            os.remove(self.real_filename)


class StorageFactory:

    def __init__(self, directory):
        self.dir = directory

    def create(self, advisory_filename):
        return Storage(self.dir, advisory_filename)


def handler(req):
    file_factory = StorageFactory(req.get_options()["upload_dir"])
    request_data = util.FieldStorage(req, keep_blank_values=True,
                                     file_callback=file_factory.create)
    files = []
    for upload in request_data.getlist("upload"):
        files.append({
            "file_class": type(upload.file).__name__,
            "directory": os.path.dirname(upload.file.real_filename),
            "advisory_filename": upload.file.advisory_filename,
            "real_filename": upload.file.real_filename,
            "exists": os.path.exists(upload.file.real_filename),
            "value": upload.value.decode("latin-1"),
        })
    req.content_type = "application/json"
    req.write(json.dumps(files))
    return apache.OK
