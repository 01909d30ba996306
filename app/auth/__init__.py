"""Login by phone and password, the session, CSRF and the login rate limit."""
