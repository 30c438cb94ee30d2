"""One search box over everything a person may see: projects, releases, the journal."""
