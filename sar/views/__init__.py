"""The parent's (and young person's) pages of the right of access: asking for
records (``journey``, with the answers kept in the session by ``answers``),
their requests (``requests``) and their consents to share (``consents``).
Thin: parse a form, call one domain function, render or redirect. Who may
enter is declared by ``portal.accounts.decorators.personal_page`` on every view."""
