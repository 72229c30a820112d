"""Outputs: each module turns evaluated data into one kind of output and knows no CLI."""
