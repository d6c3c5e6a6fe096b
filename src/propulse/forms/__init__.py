"""Public sign-up forms with consent wording, double opt-in and spam protection."""
