"""`interview-client`: a command-line candidate for the interview server (see README, "Command line")."""
