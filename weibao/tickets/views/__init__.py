"""HTML pages of the service desk: agent console, intake, ticket page, portal and desk administration.

Views parse, call one selector or service, and render (DESIGN.md rule 3).
"""
