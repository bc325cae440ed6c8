"""Exchange with the tools researchers already use: REFI-QDA projects and codebooks both ways, and tables
for pandas, R, Excel, DuckDB and Spark."""
