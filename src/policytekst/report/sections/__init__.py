"""Report sections: each module builds one part of the report as HTML plus the tables behind it."""
