"""The authentication backend: Django's ``ModelBackend`` (passwords, and
permissions from the user and their groups), loading the signed-in person
on each request together with whether they are staff.

Every personal page asks ``User.is_staff_account`` (a parent's page turns
staff away, the navigation differs), and for anyone without ``is_staff`` the
answer is a permission check. Loading the person's row with that answer as a
subquery (``EmailUserManager.with_admin_access``) makes it one query a
request instead of two: the answer is as fresh as the row itself, read in
the same request.
"""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


@cache
def _users():
    # Built once per process: filtering by the permission through the user's
    # own permissions and their groups' costs more to build than to run
    # (every request clones it and adds the id; nothing ever evaluates it).
    return get_user_model()._default_manager.with_admin_access()


class AccountBackend(ModelBackend):
    def get_user(self, user_id):
        User = get_user_model()
        try:
            user = _users().get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
