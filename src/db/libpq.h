#pragma once

// Internal to the database module: libpq, loaded when safedb first talks to a
// database rather than when the process starts. libpq and the libraries it
// pulls in (Kerberos, LDAP, SASL, GnuTLS, ...) take about 6 ms to load and
// initialise, more than an offline `safedb check` of a small file needs in
// all; commands that never connect no longer pay for them.
//
// Call pq::load() before any function below (Connection::open and the
// conninfo functions do); each is then the libpq function of the same name.

#include <libpq-fe.h>

#include "safedb/util/result.h"

// Every libpq function safedb calls. Adding a call elsewhere means adding it here.
#define SAFEDB_LIBPQ_FUNCTIONS(X) \
  X(PQbackendPID)                 \
  X(PQcancel)                     \
  X(PQclear)                      \
  X(PQcmdStatus)                  \
  X(PQcmdTuples)                  \
  X(PQconnectdbParams)            \
  X(PQconninfoFree)               \
  X(PQconninfoParse)              \
  X(PQdb)                         \
  X(PQerrorMessage)               \
  X(PQfinish)                     \
  X(PQfname)                      \
  X(PQfreeCancel)                 \
  X(PQfreemem)                    \
  X(PQgetCancel)                  \
  X(PQgetCopyData)                \
  X(PQgetResult)                  \
  X(PQgetisnull)                  \
  X(PQgetlength)                  \
  X(PQgetvalue)                   \
  X(PQhost)                       \
  X(PQnfields)                    \
  X(PQntuples)                    \
  X(PQport)                       \
  X(PQputCopyData)                \
  X(PQputCopyEnd)                 \
  X(PQresultErrorField)           \
  X(PQresultErrorMessage)         \
  X(PQresultStatus)               \
  X(PQsendQuery)                  \
  X(PQsetNoticeReceiver)          \
  X(PQstatus)                     \
  X(PQuser)

namespace safedb::db::pq {

#define SAFEDB_LIBPQ_DECLARE(name) extern decltype(&::name) name;
SAFEDB_LIBPQ_FUNCTIONS(SAFEDB_LIBPQ_DECLARE)
#undef SAFEDB_LIBPQ_DECLARE

// Loads libpq and every function above, once per process; later calls return
// the first outcome. Fails with one line naming the library and why.
Status load();

}  // namespace safedb::db::pq
