// The peer of the actas benchmarks (BENCH.md): what a team would pick instead, Node.js with the `ws`
// package, doing the same routing as actas on the same URLs, with no policy and no durability:
//
//   POST /v1/tokens {user}            -> {token, user}       (no service key check)
//   POST /v1/ws/ticket  (Bearer)      -> {ticket}            one-time, bound to the token's user
//   GET  /v1/ws?ticket=…              -> WebSocket; first frame `hello`
//   frame {type:"subscribe", topic:"dashboard"} joins the dashboard; {type:"ping"} -> {type:"pong"}
//   POST /v1/impersonations {target}  -> 201 {session, token}; pushes `impersonation_started` to the
//                                        target's sockets and an `upsert` to every dashboard socket
//   POST /v1/impersonations/{id}/end  -> 200 {session}; pushes `impersonation_ended` and a `remove`
//   POST /v1/authorize {action}       -> 200 {allowed: true, …}
//
// Usage: node server.js [--port 0]   prints "listening on http://127.0.0.1:PORT/" (loopback only).
'use strict';
const http = require('http');
const crypto = require('crypto');
const { WebSocketServer } = require('ws');

const portArg = process.argv.indexOf('--port');
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 0;
const maxBody = 64 * 1024;

const tokens = new Map();   // token -> user id
const tickets = new Map();  // ticket -> user id
const sockets = new Map();  // user id -> Set of sockets
const dashboard = new Set();
const sessions = new Map(); // session id -> {id, actor, target}
let nextSession = 1;

function send(ws, frame) {
  frame.seq = ++ws.seq;
  ws.send(JSON.stringify(frame));
}

function pushUser(user, frame) {
  const set = sockets.get(user);
  if (set) for (const ws of set) send(ws, { ...frame });
}

function pushDashboard(frame) {
  // Encoded once; only the per-connection seq (SPEC §6) is spliced in per socket.
  const rest = JSON.stringify(frame).slice(1);
  for (const ws of dashboard) ws.send('{"seq":' + ++ws.seq + ',' + rest);
}

function answer(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function bearer(req) {
  const h = req.headers.authorization || '';
  return h.startsWith('Bearer ') ? tokens.get(h.slice(7)) : undefined;
}

function route(req, res, body) {
  const url = req.url.split('?')[0];
  let json = {};
  try { if (body.length) json = JSON.parse(body); } catch { return answer(res, 400, { error: { code: 'invalid_request' } }); }
  if (req.method === 'POST' && url === '/v1/tokens') {
    const token = crypto.randomBytes(32).toString('base64url');
    tokens.set(token, json.user);
    return answer(res, 200, { token, user: { id: json.user } });
  }
  const user = bearer(req);
  if (user === undefined) return answer(res, 401, { error: { code: 'unauthenticated' } });
  if (req.method === 'POST' && url === '/v1/ws/ticket') {
    const ticket = crypto.randomBytes(32).toString('base64url');
    tickets.set(ticket, user);
    return answer(res, 200, { ticket });
  }
  if (req.method === 'POST' && url === '/v1/impersonations') {
    const session = { id: 'ses_' + nextSession++, actor: user, target: json.target, state: 'active' };
    sessions.set(session.id, session);
    pushUser(session.target, { type: 'notification', notification: { kind: 'impersonation_started', session: session.id } });
    pushDashboard({ type: 'dashboard', op: 'upsert', session });
    return answer(res, 201, { session, token: crypto.randomBytes(32).toString('base64url') });
  }
  const end = /^\/v1\/impersonations\/([^/]+)\/end$/.exec(url);
  if (req.method === 'POST' && end) {
    const session = sessions.get(end[1]);
    if (!session) return answer(res, 404, { error: { code: 'not_found' } });
    sessions.delete(session.id);
    session.state = 'ended';
    pushUser(session.target, { type: 'notification', notification: { kind: 'impersonation_ended', session: session.id } });
    pushDashboard({ type: 'dashboard', op: 'remove', session });
    return answer(res, 200, { session, return_to: null });
  }
  if (req.method === 'POST' && url === '/v1/authorize')
    return answer(res, 200, { allowed: true, code: null, subject: user, actor: null });
  return answer(res, 404, { error: { code: 'not_found' } });
}

const server = http.createServer((req, res) => {
  const chunks = [];
  let size = 0;
  req.on('data', (c) => {
    size += c.length;
    if (size > maxBody) { answer(res, 413, { error: { code: 'too_large' } }); req.destroy(); return; }
    chunks.push(c);
  });
  req.on('end', () => { if (!res.headersSent) route(req, res, Buffer.concat(chunks).toString()); });
});
server.keepAliveTimeout = 300 * 1000;
server.maxConnections = 100000;

const wss = new WebSocketServer({ noServer: true, maxPayload: maxBody, perMessageDeflate: false });
server.on('upgrade', (req, socket, head) => {
  const q = new URL(req.url, 'http://x').searchParams;
  const user = tickets.get(q.get('ticket') || '');
  if (!req.url.startsWith('/v1/ws?') || user === undefined) {
    socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  tickets.delete(q.get('ticket'));
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.seq = 0;
    ws.user = user;
    if (!sockets.has(user)) sockets.set(user, new Set());
    sockets.get(user).add(ws);
    ws.on('message', (data) => {
      let f;
      try { f = JSON.parse(data); } catch { return send(ws, { type: 'error', code: 'invalid_request' }); }
      if (f.type === 'ping') send(ws, { type: 'pong' });
      else if (f.type === 'subscribe' && f.topic === 'dashboard') dashboard.add(ws);
      else send(ws, { type: 'error', code: 'invalid_request' });
    });
    ws.on('close', () => {
      sockets.get(user).delete(ws);
      dashboard.delete(ws);
    });
    ws.on('error', () => {});
    send(ws, { type: 'hello', user: { id: user }, unread: 0 });
  });
});

server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening on http://127.0.0.1:${server.address().port}/\n`);
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
