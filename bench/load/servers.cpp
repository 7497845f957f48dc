#include "load/servers.hpp"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "load/calls.hpp"
#include "load/postgresql.hpp"

namespace bench {

namespace fs = std::filesystem;

const std::string service_key = "bench-service-key-0123456789abcdefghijklmnop";

std::string_view impl_name(impl i) {
  switch (i) {
  case impl::actas: return "actas";
  case impl::beast_floor: return "Beast floor";
  case impl::epoll_floor: return "raw epoll floor";
  case impl::node_peer: return "Node ws peer";
  }
  return "?";
}

namespace {

std::string write_actas_config(const std::string& folder) {
  const auto path = folder + "/actas.toml";
  std::ofstream f(path);
  // Every load generator connection comes from loopback: lift the per-address limit for the bench only.
  f << "max_connections_per_ip = 100000\nlog_level = \"warn\"\n";
  // Extra TOML lines for trying other settings (thread counts) without editing the bench.
  if (const char* extra = std::getenv("ACTAS_BENCH_CONFIG")) f << extra << "\n";
  return path;
}

// On PostgreSQL each server gets a database of its own, a copy of the seeded template's.
std::unique_ptr<server_process> start_actas(const env_paths& p, const std::string& data, const std::string& tag,
                                            const std::string& from_template = {}) {
  server_process::options o;
  o.name = "actas";
  o.argv = {p.build + "/app/actas", "--demo", "--data", data, "--listen", "127.0.0.1:0", "--config",
            write_actas_config(data)};
  o.env = {{"ACTAS_SERVICE_KEY", service_key}};
  if (!p.pg_host.empty()) {
    std::string name;
    for (char ch : tag) name += std::isalnum(static_cast<unsigned char>(ch)) ? static_cast<char>(std::tolower(ch)) : '_';
    create_database(p.pg_host, name, from_template);
    o.env["ACTAS_DATABASE_URL"] = postgresql_url(p.pg_host, name);
  }
  o.log = p.work + "/" + tag + ".log";
  o.fsync_shim = p.build + "/bench/libactas_fsync_count.so";
  return std::make_unique<server_process>(o);
}

std::string pad3(std::size_t i) {
  char b[16];
  std::snprintf(b, sizeof b, "%04zu", i);
  return b;
}

} // namespace

actas_template::actas_template(const env_paths& p, loop& l, std::size_t pairs) {
  folder_ = p.work + "/actas-template";
  fs::remove_all(folder_);
  fs::create_directories(folder_);
  auto server = start_actas(p, folder_, "actas-template");
  std::vector<call_spec> calls;
  const auto user = [](const std::string& id, const char* role, const std::string& name) {
    nlohmann::json u{{"id", id}, {"username", id}, {"name", name}, {"role", role}, {"portal", "acme-eu"},
                     {"consents", {{"terms", true}, {"privacy", true}}}};
    if (std::string(role) == "admin") u["admin_portals"] = {"acme-eu"};
    return call_spec{"POST", "/v1/users", u.dump(), service_key};
  };
  std::vector<std::string> admins, learners;
  for (std::size_t i = 1; i <= pairs; ++i) {
    admins.push_back("bench-adm-" + pad3(i));
    learners.push_back("bench-lrn-" + pad3(i));
    calls.push_back(user(admins.back(), "admin", "Bench Admin " + pad3(i)));
    calls.push_back(user(learners.back(), "learner", "Bench Learner " + pad3(i)));
  }
  const auto probe = call(l, server->port(), calls.front());
  if (probe.status == 201 || probe.status == 200) {
    std::vector<call_spec> rest(calls.begin() + 1, calls.end());
    const auto answers = call_all(l, server->port(), rest, 32, sec(600));
    for (const auto& a : answers)
      if (a.status != 201 && a.status != 200)
        throw std::runtime_error("POST /v1/users failed: HTTP " + std::to_string(a.status) + " " + a.body + a.error);
    accounts_.admins = admins;
    accounts_.learners = learners;
    accounts_.provisioned = true;
    const auto first = [](const std::vector<std::string>& v, std::size_t n) {
      return std::vector<std::string>(v.begin(), v.begin() + static_cast<long>(std::min(n, v.size())));
    };
    accounts_.watchers = {"sara", "adam"};
    for (const auto& a : first(admins, 64)) accounts_.watchers.push_back(a);
    accounts_.tab_users = first(learners, 64);
    for (const auto& a : first(admins, 64)) accounts_.tab_users.push_back(a);
  } else {
    // Only the demo realm: two pairs that never share a user (globex has impersonation off).
    accounts_.admins = {"adam", "sara"};
    accounts_.learners = {"ann", "bob"};
    accounts_.watchers = {"sara", "adam"};
    accounts_.tab_users = {"ann", "bob", "adam", "sara", "pia", "ivan", "mia"};
    accounts_.note = "POST /v1/users answered HTTP " + std::to_string(probe.status) +
                     " (needs the provisioning endpoint): only the 2 demo admin/learner pairs (adam→ann, sara→bob)";
  }
  server->stop();
}

running start(impl kind, const env_paths& p, const actas_template* tmpl, const std::string& tag, start_options o) {
  running r{kind, nullptr};
  server_process::options so;
  so.log = p.work + "/" + tag + ".log";
  switch (kind) {
  case impl::actas: {
    if (!tmpl) throw std::logic_error("actas needs its template");
    const auto data = p.work + "/" + tag;
    fs::remove_all(data);
    fs::copy(tmpl->folder(), data, fs::copy_options::recursive);
    r.proc = start_actas(p, data, tag, "actas_template");
    return r;
  }
  case impl::beast_floor:
    so.name = "floor_beast";
    so.argv = {p.build + "/bench/floor_beast", "--port", "0"};
    break;
  case impl::epoll_floor:
    so.name = "floor_epoll";
    so.argv = {p.build + "/bench/floor_epoll", "--port", "0", "--threads", std::to_string(o.threads)};
    break;
  case impl::node_peer:
    so.name = "node peer";
    so.argv = {"node", p.source + "/bench/peer/server.js", "--port", "0"};
    break;
  }
  r.proc = std::make_unique<server_process>(so);
  return r;
}

std::vector<std::string> credentials(loop& l, const running& r, const std::vector<std::string>& users) {
  if (!r.mints()) return users;
  std::vector<call_spec> calls;
  for (const auto& u : users) calls.push_back({"POST", "/v1/tokens", nlohmann::json{{"user", u}}.dump(), service_key});
  const auto answers = call_all(l, r.port(), calls, 8);
  std::vector<std::string> tokens;
  for (std::size_t i = 0; i < answers.size(); ++i) {
    auto t = answers[i].status == 200 ? json_string(answers[i].body, "token") : std::string();
    if (t.empty())
      throw std::runtime_error("POST /v1/tokens for " + users[i] + " failed: HTTP " + std::to_string(answers[i].status) +
                               " " + answers[i].body + answers[i].error);
    tokens.push_back(std::move(t));
  }
  return tokens;
}

bool have_node() { return std::system("node --version > /dev/null 2>&1") == 0; }

} // namespace bench
