#pragma once
/// Every atom of actas, in one place (CAF 0.17 atoms: at most 10 characters).
#include <caf/atom.hpp>

namespace actas::actors {

using start_atom = caf::atom_constant<caf::atom("start")>;
using end_atom = caf::atom_constant<caf::atom("end")>;
using expire_atom = caf::atom_constant<caf::atom("expire")>;
using ended_atom = caf::atom_constant<caf::atom("ended")>;
using mint_atom = caf::atom_constant<caf::atom("mint")>;
using auth_atom = caf::atom_constant<caf::atom("auth")>;
using find_atom = caf::atom_constant<caf::atom("find")>;
using committed_atom = caf::atom_constant<caf::atom("committed")>;
using schedule_atom = caf::atom_constant<caf::atom("schedule")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using timeout_atom = caf::atom_constant<caf::atom("timeout")>;
using attach_atom = caf::atom_constant<caf::atom("attach")>;
using push_atom = caf::atom_constant<caf::atom("push")>;
using banner_atom = caf::atom_constant<caf::atom("banner")>;
using unbanner_atom = caf::atom_constant<caf::atom("unbanner")>;
using drop_atom = caf::atom_constant<caf::atom("drop")>;
using retry_atom = caf::atom_constant<caf::atom("retry")>;
using stats_atom = caf::atom_constant<caf::atom("stats")>;
using login_atom = caf::atom_constant<caf::atom("login")>;
using checked_atom = caf::atom_constant<caf::atom("checked")>;
using logout_atom = caf::atom_constant<caf::atom("logout")>;
using me_atom = caf::atom_constant<caf::atom("me")>;
using list_atom = caf::atom_constant<caf::atom("list")>;
using audit_atom = caf::atom_constant<caf::atom("audit")>;
using verify_atom = caf::atom_constant<caf::atom("verify")>;
using ticket_atom = caf::atom_constant<caf::atom("ticket")>;
using redeem_atom = caf::atom_constant<caf::atom("redeem")>;
using sweep_atom = caf::atom_constant<caf::atom("sweep")>;
using settings_atom = caf::atom_constant<caf::atom("settings")>;
using authorize_atom = caf::atom_constant<caf::atom("authorize")>;
using prefs_atom = caf::atom_constant<caf::atom("prefs")>;
using inbox_atom = caf::atom_constant<caf::atom("inbox")>;
using read_atom = caf::atom_constant<caf::atom("read")>;
using users_atom = caf::atom_constant<caf::atom("users")>;
using create_atom = caf::atom_constant<caf::atom("create")>;
using update_atom = caf::atom_constant<caf::atom("update")>;
using realm_atom = caf::atom_constant<caf::atom("realm")>;
using portal_atom = caf::atom_constant<caf::atom("portal")>;
using introspect_atom = caf::atom_constant<caf::atom("introspect")>;
using metrics_atom = caf::atom_constant<caf::atom("metrics")>;
using request_atom = caf::atom_constant<caf::atom("request")>;
using deny_atom = caf::atom_constant<caf::atom("deny")>;
using cancel_atom = caf::atom_constant<caf::atom("cancel")>;
using grant_atom = caf::atom_constant<caf::atom("grant")>;
using revoke_atom = caf::atom_constant<caf::atom("revoke")>;
using gtoken_atom = caf::atom_constant<caf::atom("gtoken")>;
using access_atom = caf::atom_constant<caf::atom("access")>;
using glog_atom = caf::atom_constant<caf::atom("glog")>;
using due_atom = caf::atom_constant<caf::atom("due")>;
using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;
using publish_atom = caf::atom_constant<caf::atom("publish")>;
using rescope_atom = caf::atom_constant<caf::atom("rescope")>;
using mygrants_atom = caf::atom_constant<caf::atom("mygrants")>;
using claim_atom = caf::atom_constant<caf::atom("claim")>;
using settle_atom = caf::atom_constant<caf::atom("settle")>;
/// Tells an entity actor that its work is done: it quits. Not `send_exit(…, exit_reason::normal)`: CAF 0.17
/// ignores an exit message whose reason is normal (code 0 means "no error"), so that actor would live on.
using stop_atom = caf::atom_constant<caf::atom("stop")>;
using take_atom = caf::atom_constant<caf::atom("take")>;
using release_atom = caf::atom_constant<caf::atom("release")>;
using close_atom = caf::atom_constant<caf::atom("close")>;
using follow_atom = caf::atom_constant<caf::atom("follow")>;
using settled_atom = caf::atom_constant<caf::atom("settled")>;
using ring_atom = caf::atom_constant<caf::atom("ring")>;

} // namespace actas::actors
