"""__auth__, __access__ and __auth_realm__ inside functions and objects
(manual 6.1.2): read without running the function."""

RAN = []


# The manual's example, as printed.
def sensitive(req):

    def __auth__(req, user, password):
        if user == 'spam' and password == 'eggs':
            # let them in
            return 1
        else:
            # no access
            return 0

    # something involving sensitive information
    return 'sensitive information'


def realm(req):
    __auth_realm__ = "Nested realm"

    def __auth__(req, user, password):
        return user == "a" and password == "b"

    return "realm passed"


def denied_constant(req):
    __auth__ = 0
    RAN.append("denied_constant")
    return "never shown"


def allowed_constant(req):
    __auth__ = 1
    return "constant allowed"


def access_constant(req):
    __access__ = False
    RAN.append("access_constant")
    return "never shown"


def access_function(req):
    def __auth__(req, user, password):
        return password == "pw"

    def __access__(req, user):
        return user == "admin"

    return "access granted"


def access_only(req):
    # No __auth__ and no Apache authentication: nobody's name is known,
    # whatever the Authorization header claims.
    __access__ = ("admin",)
    return "never shown to a claimed admin"


def closure(req):
    allowed = "spam"

    def __auth__(req, user, password):
        return user == allowed

    RAN.append("closure")
    return "never shown"


def access_list(req):
    # A list is built at run time: the manual says this does not work.
    __access__ = ["eggs"]
    RAN.append("access_list")
    return "never shown"


def ran(req):
    return ",".join(RAN)


def attribute(req):
    return "function attribute passed"


attribute.__auth__ = {"fa": "fb"}


class Vault:
    __auth_realm__ = "Vault"

    def __auth__(self, req, user, passwd):
        return user == "v" and passwd == "w"

    def index(self):
        return "vault index"

    def open(self):
        return "vault opened"


vault = Vault()
