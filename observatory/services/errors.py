"""Errors the services raise instead of HTTP answers. Each message tells the user what to do;
the HTTP front doors map the classes onto statuses in one place (:mod:`observatory.http.errors`)."""

from __future__ import annotations


class ServiceError(Exception):
    """A request the services cannot answer as asked."""


class NotFound(ServiceError):
    """What was asked for is not in the store (or not visible to the caller)."""


class InvalidRequest(ServiceError, ValueError):
    """The request names things that exist but cannot be combined or computed as asked."""


class TooLarge(ServiceError):
    """A file or request is larger than its limit."""


class UnsupportedType(ServiceError):
    """A file is not of a type accepted there."""
