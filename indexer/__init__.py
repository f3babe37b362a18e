"""nianbao's core: the annual reports from file to search result, one stage per subpackage.

    read/    file bytes → Document (text in reading order + table cells)
    parse/   Document → Report (metadata, sections, region, statistics fields) — pure functions
    engine/  Report → search index → results (exact matching, facets, ranking, snippets)

``model`` holds the data types every stage shares, ``store`` the raw bytes and parsed reports, ``library`` the one
API the CLI (``cli``), the web UI and the crawler use; ``export`` writes rows of reports.
"""
