VALUE = "helper version 1"
