"""Plots and widgets for the course. ``style`` holds the shared colours and scales; each unit's widgets live in
a module named for its topic (``gradients``, ``gates``, ``training``, ...)."""
