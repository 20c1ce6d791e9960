"""The built-in browser dashboard: static HTML, CSS and ES modules that read the public /api/v1
endpoints with the token the user signs in with (kept in the browser's sessionStorage only)."""
