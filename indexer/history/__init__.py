"""One body's reports over the years: what changed from one report to another (sentences and figures), and the
body's whole series.  Reads ``Report`` objects only; the library finds the reports.
"""
