"""What Goldfish e-mails and when: notices of review requests and answers
and of likely scoops, the weekly digest, each user's choice of them on the
account page, and the one-click unsubscribe links. app.mail below keeps the
outbox and talks to the SMTP server."""
