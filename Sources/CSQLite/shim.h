// SQLite for the derived state of a ledger directory. Only LoamStore imports this module.
#ifndef LOAM_CSQLITE_SHIM_H
#define LOAM_CSQLITE_SHIM_H

#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro cast Swift cannot import: bind copies of the bytes.
static inline int loam_sqlite_bind_blob(sqlite3_stmt *statement, int index, const void *bytes, int count) {
  return sqlite3_bind_blob(statement, index, bytes, count, SQLITE_TRANSIENT);
}

// SQLITE_STATIC: SQLite reads the bytes in place, so they must stay unchanged until the statement
// is stepped and reset (the bulk row writes, whose buffers outlive each step).
static inline int loam_sqlite_bind_blob_static(sqlite3_stmt *statement, int index, const void *bytes, int count) {
  return sqlite3_bind_blob(statement, index, bytes, count, SQLITE_STATIC);
}

static inline int loam_sqlite_bind_text(sqlite3_stmt *statement, int index, const char *text, int count) {
  return sqlite3_bind_text(statement, index, text, count, SQLITE_TRANSIENT);
}

#endif
