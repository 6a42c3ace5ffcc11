"""A JupyterHub for a class of the LSTM course on one machine: roster, accounts, course, exchange, hub."""
