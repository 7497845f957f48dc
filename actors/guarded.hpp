#pragma once
/// An exception costs at most its own request. CAF 0.17 ends an actor whose handler throws (whatever its
/// exception handler returns, `scheduled_actor` quits with it; checked with a ten-line program), and an
/// abnormal exit travels along links: one store read that failed (a PostgreSQL server restarting, a table
/// gone) would take the registry and every actor linked to it down, and the node with them. `guarded`
/// wraps a handler so that what it throws is logged, its own request (if it was one) is answered with
/// `sec::runtime_error` (net/ answers 503) and the actor goes on with the next message.
#include <exception>
#include <type_traits>
#include <utility>

#include <caf/detail/type_traits.hpp>
#include <caf/error.hpp>
#include <caf/result.hpp>
#include <caf/sec.hpp>
#include <spdlog/spdlog.h>

namespace actas::actors {

namespace guard_detail {

/// What the guarded handler returns: its own `result<…>`, a plain reply made a `result` (so that it can
/// be an error instead), or nothing.
template <class R>
struct answer {
  using type = caf::result<R>;
};
template <class... Xs>
struct answer<caf::result<Xs...>> {
  using type = caf::result<Xs...>;
};
template <>
struct answer<void> {
  using type = void;
};

inline void report(const char* actor, const char* what) {
  spdlog::error("{}: a message handler failed ({}); its request is answered with an error and {} goes on", actor,
                what, actor);
}

/// Runs `f(xs...)`; what it throws is reported and, when a reply is due, answered as an error.
template <class Out, class F, class... Ts>
Out run(const char* actor, F& f, Ts&&... xs) {
  try {
    return f(std::forward<Ts>(xs)...);
  } catch (const std::exception& e) {
    report(actor, e.what());
  } catch (...) {
    report(actor, "an exception of unknown type");
  }
  if constexpr (!std::is_void_v<Out>)
    return caf::make_error(caf::sec::runtime_error);
}

template <class R, class F, class... Ts>
auto wrap(const char* actor, F f, caf::detail::type_list<Ts...>) {
  using out = typename answer<R>::type;
  // CAF calls some handlers as const (the down handler), others may change their captures (`mutable`).
  if constexpr (std::is_invocable_v<const F&, Ts...>)
    return [actor, f = std::move(f)](Ts... xs) -> out { return run<out>(actor, f, std::forward<Ts>(xs)...); };
  else
    return [actor, f = std::move(f)](Ts... xs) mutable -> out { return run<out>(actor, f, std::forward<Ts>(xs)...); };
}

} // namespace guard_detail

/// `f` with the same parameters; what it throws is logged under `actor` ("the registry") and, for a
/// request, answered as an error.
template <class F>
auto guarded(const char* actor, F f) {
  using trait = caf::detail::get_callable_trait<F>;
  return guard_detail::wrap<typename trait::result_type>(actor, std::move(f), typename trait::arg_types{});
}

/// A behavior whose every handler is `guarded`.
template <class Behavior, class... Fs>
Behavior guarded_behavior(const char* actor, Fs... handlers) {
  return Behavior{guarded(actor, std::move(handlers))...};
}

} // namespace actas::actors
