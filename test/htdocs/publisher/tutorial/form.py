import smtplib
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP

WEBMASTER = "webmaster"    # webmaster e-mail
SMTP_SERVER = "localhost"  # your SMTP server

# Mail that any mail server passes: 7-bit lines, with what is not ASCII
# (a name like José, a comment like Très bien) encoded from UTF-8.
MAIL_POLICY = SMTP.clone(cte_type="7bit")

def email(req, name, email, comment):

    # make sure the user provided all the parameters
    if not (name and email and comment):
        return "A required parameter is missing, \
                please go back and correct the error"

    # create the message
    msg = EmailMessage(policy=MAIL_POLICY)
    try:
        msg["From"] = Address(name, addr_spec=email)
    except (ValueError, HeaderParseError):
        return "%s is not an e-mail address, \
                please go back and correct the error" % email
    msg["Subject"] = "feedback"
    msg["To"] = WEBMASTER
    msg.set_content("""\
I have the following comment:

%s

Thank You,

%s
""" % (comment, name))

    # send it out
    # (the one change to the manual's code: "PythonOption smtp_server
    # host:port" may name another SMTP server, as the test suite does)
    conn = smtplib.SMTP(req.get_options().get("smtp_server", SMTP_SERVER))
    conn.send_message(msg)
    conn.quit()

    # provide feedback to the user
    s = """\
<html>

Dear %s,<br>
Thank You for your kind comments, we
will get back to you shortly.

</html>""" % name

    return s
