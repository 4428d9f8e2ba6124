"""Pages of the subscriber cabinet, one module per area.  Thin: a form, one service
call, a page.  The customer always comes from the cabinet session, never from the URL."""
