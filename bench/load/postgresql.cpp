#include "load/postgresql.hpp"

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <unistd.h>

#include <libpq-fe.h>

namespace bench {

namespace {

void run(PGconn* c, const std::string& sql) {
  PGresult* r = PQexec(c, sql.c_str());
  const auto status = PQresultStatus(r);
  std::string error = PQresultErrorMessage(r);
  PQclear(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) throw std::runtime_error(sql + ": " + error);
}

PGconn* connect(const std::string& host, const std::string& db) {
  PGconn* c = PQconnectdb(("host=" + host + " user=postgres dbname=" + db).c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(c);
    PQfinish(c);
    throw std::runtime_error("cannot connect to PostgreSQL at " + host + ": " + msg);
  }
  return c;
}

} // namespace

throwaway_postgresql::throwaway_postgresql(const std::string& source_dir)
  : source_(source_dir), host_("/tmp/actas-bench-pg-" + std::to_string(::getpid())) {
  const std::string cmd = "bash '" + source_ + "/scripts/pg-throwaway' start '" + host_ + "' >&2";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("could not start PostgreSQL (" + cmd + ")");
}

throwaway_postgresql::~throwaway_postgresql() {
  const std::string cmd = "bash '" + source_ + "/scripts/pg-throwaway' stop '" + host_ + "' >&2";
  if (std::system(cmd.c_str()) != 0) {
    // Nothing more to do from a destructor; the script prints what failed.
  }
}

std::string postgresql_url(const std::string& host, const std::string& name) {
  return "postgresql://postgres@/" + name + "?host=" + host;
}

void create_database(const std::string& host, const std::string& name, const std::string& from_template) {
  PGconn* c = connect(host, "postgres");
  try {
    run(c, "DROP DATABASE IF EXISTS \"" + name + "\"");
    run(c, "CREATE DATABASE \"" + name + "\"" + (from_template.empty() ? "" : " TEMPLATE \"" + from_template + "\""));
  } catch (...) {
    PQfinish(c);
    throw;
  }
  PQfinish(c);
}

commit_probe_result postgresql_probe(const std::string& host, int batch, ns duration) {
  create_database(host, "probe");
  PGconn* c = connect(host, "probe");
  commit_probe_result r;
  r.batch = batch;
  try {
    run(c, "CREATE TABLE audit (chain TEXT, seq BIGINT, at BIGINT, event TEXT, detail TEXT, hash TEXT, "
           "PRIMARY KEY (chain, seq))");
    PGresult* p = PQprepare(c, "ins", "INSERT INTO audit VALUES ('acme', $1, $2, 'impersonation.start', $3, $4)", 4,
                            nullptr);
    if (PQresultStatus(p) != PGRES_COMMAND_OK) throw std::runtime_error(PQresultErrorMessage(p));
    PQclear(p);
    const std::string detail(200, 'd'), hash(64, 'h');
    std::int64_t seq = 0, commits = 0;
    const auto start = std::chrono::steady_clock::now();
    const auto until = start + std::chrono::nanoseconds(duration);
    while (std::chrono::steady_clock::now() < until) {
      run(c, "BEGIN");
      for (int i = 0; i < batch; ++i) {
        const std::string s = std::to_string(++seq);
        const char* values[4] = {s.c_str(), s.c_str(), detail.c_str(), hash.c_str()};
        PGresult* ins = PQexecPrepared(c, "ins", 4, values, nullptr, nullptr, 0);
        const bool ok = PQresultStatus(ins) == PGRES_COMMAND_OK;
        PQclear(ins);
        if (!ok) throw std::runtime_error("insert failed in the PostgreSQL probe");
      }
      run(c, "COMMIT");
      ++commits;
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    r.commits_per_second = static_cast<double>(commits) / secs;
    r.rows_per_second = static_cast<double>(seq) / secs;
  } catch (...) {
    PQfinish(c);
    throw;
  }
  PQfinish(c);
  return r;
}

} // namespace bench
