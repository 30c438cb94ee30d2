"""E-mail: the outbox every message goes through, the SMTP client that
delivers it, and each user's choice of what reaches them.

Nothing here is sent by a web request: a request (or a service it calls)
writes a row to the outbox in its own transaction, and `goldfish worker`
delivers it (app.mailings composes what it says)."""
