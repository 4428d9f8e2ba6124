"""SORM-3 subscriber-data export (VAS Experts SKAT loader format): file
schemas, the journal reader, validation, delivery over FTP/FTPS, staff pages.
See docs/sorm.md."""
