"""Password hashing: Argon2id, as Django's, on one thread per sign-in.

Django's ``Argon2PasswordHasher`` fills its 100 MiB in 8 lanes that
libargon2 runs on as many threads, so each sign-in takes every core of a
web server for its 130 ms (on 2 cores, 210 ms of processor in 130 ms) and
every other request in flight, on any web process, waits for it. One lane
costs the same processor time on one core (195 ms), leaves the other cores
to everyone else, and costs a guesser exactly as much: Argon2's cost to an
attacker is its memory and its passes, which stay Django's (100 MiB, 2
passes; OWASP's floor is 19 MiB, 2 passes, 1 lane).

Hashes made with Django's settings still verify (same algorithm, the
parameters are in the hash) and are rehashed with these at the next sign-in
(``must_update``).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class SingleLaneArgon2PasswordHasher(Argon2PasswordHasher):
    parallelism = 1
