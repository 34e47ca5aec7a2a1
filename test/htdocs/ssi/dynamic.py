"""A handler whose output goes through the INCLUDES filter (SetOutputFilter
INCLUDES): #python elements in generated content."""

from mod_python import apache


def handler(req):
    req.content_type = "text/html"
    req.write('<p>made by <!--#python eval="filter.req.handler" --></p>\n')
    req.write('<p>sum <!--#python eval="sum(range(5))" --></p>\n')
    return apache.OK
