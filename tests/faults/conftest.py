"""The fault tests that work on the portal's own data borrow the
right-of-access fixtures (people in each role, a submitted request) and the
staff admin client."""

from tests.sar.admin_support import staff_client_fixture  # noqa: F401
from tests.sar.conftest import (  # noqa: F401
    _fast_passwords,
    approver,
    caseworker,
    groups,
    make_user,
    parent,
    revision,
    submit,
)
