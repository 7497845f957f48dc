// Which documented operation a recorded request reached, matched the way net::router matches: the raw path
// (without the query) split at '/', a `{name}` segment matching any non-empty segment, every other segment
// matching itself. HEAD is routed as GET (net/http_session.cpp).

/// The web console (SPEC §7) is served before routing and is not part of the API document, whatever the method
/// (its 405s and 404s are the console's too).
const isConsole = (path) => path === "/" || path.startsWith("/assets/");

const segments = (path) => path.split("/");

function matches(template, path) {
  const t = segments(template);
  const p = segments(path);
  if (t.length !== p.length) return false;
  return t.every((s, i) => (s.length > 2 && s.startsWith("{") && s.endsWith("}") ? p[i] !== "" : s === p[i]));
}

/// Fewer parameters first: a literal segment is the more specific route.
const params = (template) => segments(template).filter((s) => s.startsWith("{")).length;

/// {console: true} | {path, method, operation} | {pathKnown}: pathKnown when some operation answers the path
/// under another method.
export function operationFor(doc, method, target) {
  const path = target.split("?")[0].split("#")[0];
  if (isConsole(path)) return { console: true };
  const asked = (method === "HEAD" ? "GET" : method).toLowerCase();
  const templates = Object.keys(doc.paths).filter((t) => matches(t, path)).sort((a, b) => params(a) - params(b));
  for (const t of templates)
    if (doc.paths[t][asked]) return { path: t, method: asked, operation: doc.paths[t][asked] };
  return { pathKnown: templates.length > 0 };
}

/// The statuses the server answers a request no operation takes (info.description of the document): 404 for a
/// path no route matches, 405 (with Allow) for one that other methods answer, and the checks made before
/// routing: 400 for a request it cannot read (a header given twice, a bad escape in the target), 413 for a body
/// over the limit.
export function rulesOutsideOperations(pathKnown) {
  return pathKnown ? [400, 405, 413] : [400, 404, 413];
}
