"""A Jupyter server extension for instructors' servers: lets JupyterLab show the formgrader in its frame.

JupyterHub (4.1 and later) makes every user server send ``Content-Security-Policy: frame-ancestors 'none'``, so
no page of the server may be shown inside a frame. nbgrader's formgrader tab in JupyterLab *is* a frame holding
the server's own ``/formgrader`` pages, so it stays blank (nbgrader issue 1870). This extension relaxes the
policy to ``frame-ancestors 'self'`` for the formgrader's pages only, and leaves every other page as the hub
sets it. It is enabled only in instructors' servers (``<state>/jupyter/instructor``).

'self' is the server's origin. On a hub serving every user from one host name, that origin is shared by all
users' servers; a deployment that wants each server framed by itself alone gives each user a subdomain
(``c.JupyterHub.subdomain_host``; docs/instructors.md, "The formgrader under the hub's security headers").
"""

from __future__ import annotations

import re

from tornado.web import OutputTransform

FRAME_ANCESTORS = re.compile(r"frame-ancestors\s+[^;]*")


class FormgraderFrames(OutputTransform):
    """Rewrite ``frame-ancestors`` on responses under ``<base_url>formgrader``."""

    base_url = "/"

    def __init__(self, request):
        super().__init__(request)
        self.applies = request.path.startswith(self.base_url + "formgrader")

    def transform_first_chunk(self, status_code, headers, chunk, finishing):
        if self.applies and "Content-Security-Policy" in headers:
            headers["Content-Security-Policy"] = FRAME_ANCESTORS.sub(
                "frame-ancestors 'self'", headers["Content-Security-Policy"])
        return status_code, headers, chunk


def _jupyter_server_extension_points():
    return [{"module": __name__}]


def _load_jupyter_server_extension(server_app):
    FormgraderFrames.base_url = server_app.base_url
    server_app.web_app.add_transform(FormgraderFrames)
    server_app.log.info("formgrader pages may be framed by this server's own pages (frame-ancestors 'self')")
