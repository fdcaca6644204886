"""Worked examples built on the library: real public data sets and how to fetch them."""
