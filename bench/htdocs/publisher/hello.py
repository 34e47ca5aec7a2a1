"""The hello page through the publisher: /publisher/hello.py/say."""


def say(req):
    return "Hello World!"
