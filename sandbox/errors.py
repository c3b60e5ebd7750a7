"""Errors rendered the way Magento's REST layer renders them (magento-rest.md §14)."""

import re

ENTITY_NOT_FOUND = "The entity that was requested doesn't exist. Verify the entity and try again."
REQUIRED_FIELD = '"%fieldName" is required. Enter and try again.'


class MagentoError(Exception):
    """An error with an HTTP status, a message template and its parameters."""

    def __init__(self, status, message, parameters=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameters = parameters

    def body(self):
        """Return the JSON body: {"message": template, "parameters": [...] or {...}}."""
        body = {"message": self.message}
        if self.parameters is not None:
            body["parameters"] = self.parameters
        return body

    def text(self):
        """Return the message with %1 / %name placeholders substituted."""
        params = self.parameters
        if isinstance(params, list):
            params = {str(i): v for i, v in enumerate(params, start=1)}

        def substitute(match):
            return str((params or {}).get(match.group(1), match.group(0)))

        return re.sub(r"%(\w+)", substitute, self.message)


def required_field(name):
    """Return the 400 Magento answers for a missing required input field."""
    return MagentoError(400, REQUIRED_FIELD, {"fieldName": name})


def not_found(message=ENTITY_NOT_FOUND, parameters=None):
    """Return Magento's 404 for an unknown entity (NoSuchEntityException)."""
    return MagentoError(404, message, parameters)
