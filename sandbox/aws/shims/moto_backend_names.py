# Copyright: (c) 2026, ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""Read the names of moto's service packages once, not on every request.

moto 5.2.5's server picks a request's backend in ``DomainDispatcherApplication.get_backend_for_host``
(``moto/moto_server/werkzeug_app.py``), which first asks whether the host is the name of one of
moto's service packages: ``moto.backends.list_of_moto_modules()`` lists moto's package directory
and calls ``isdir`` on each of its ~170 entries, for every request. The host is the sandbox's
127.0.0.1:<port>, never a package name, so every request paid for the whole listing: measured with
py-spy while the Lambda runtime drained a queue, a fifth of moto's busy time. The directory does not
change while the server runs, so this shim lists it once and answers from that list (the same
names, in the same order).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

_MARK = "_ackops_backend_names"


def apply():
    """Patch moto.backends; safe to call more than once."""
    from moto import backends

    if getattr(backends, _MARK, False):
        return
    names = tuple(backends.list_of_moto_modules())

    def list_of_moto_modules():
        return iter(names)

    backends.list_of_moto_modules = list_of_moto_modules
    setattr(backends, _MARK, True)
