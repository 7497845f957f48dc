// The live WebSocket of SPEC §4 and §6: a one-time ticket bought with the active token, then frames
// {type, seq, …} dispatched to listeners. Reconnects after a drop; stops for good when the token died
// (close 1008 or a refused ticket) and says so through the 'token_dead' event. A reconnect (to whichever
// node the load balancer picks) resumes after the last notification this tab got, so none is missed.
import { post, ApiError } from './api.js';

const RETRY_MS = [500, 1000, 2000, 5000, 10000];
const PING_MS = 30000;

class Live {
  constructor() {
    this.listeners = new Map();
    this.topics = new Set();
    this.socket = null;
    this.generation = 0;
    this.attempt = 0;
    this.status = 'off';
    // The id of the last notification this tab received: the resume point of its next reconnect.
    this.lastNotification = null;
  }

  /// Listens to one frame type ('hello', 'banner', …) or to the events 'status', 'open', 'token_dead'.
  /// Returns a function that stops listening.
  on(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(fn);
    return () => this.listeners.get(type)?.delete(fn);
  }

  emit(type, payload) {
    for (const fn of [...(this.listeners.get(type) ?? [])]) {
      try {
        fn(payload);
      } catch (e) {
        console.error(`live listener for ${type} failed`, e);
      }
    }
  }

  setStatus(status) {
    this.status = status;
    this.emit('status', status);
  }

  /// Opens a socket for the current active token (closing any earlier one). A reconnect after a drop keeps
  /// its resume point; a connect for another token starts afresh.
  async connect({ resuming = false } = {}) {
    const resumeAfter = resuming ? this.lastNotification : null;
    this.close();
    this.lastNotification = resumeAfter;
    const generation = ++this.generation;
    this.setStatus('connecting');
    let ticket;
    try {
      ({ ticket } = await post('/v1/ws/ticket'));
    } catch (e) {
      if (generation !== this.generation) return;
      if (e instanceof ApiError && e.status === 401) {
        this.setStatus('off');
        this.emit('token_dead', { code: 'unauthenticated' });
      } else {
        this.retry(generation);
      }
      return;
    }
    if (generation !== this.generation) return;
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const resume = resumeAfter ? `&resume=${encodeURIComponent(resumeAfter)}` : '';
    const socket = new WebSocket(`${scheme}//${location.host}/v1/ws?ticket=${encodeURIComponent(ticket)}${resume}`);
    this.socket = socket;
    socket.onopen = () => {
      if (generation !== this.generation) return;
      this.attempt = 0;
      this.setStatus('live');
      for (const topic of this.topics) this.send({ type: 'subscribe', topic });
      this.pinger = setInterval(() => this.send({ type: 'ping' }), PING_MS);
      this.emit('open');
    };
    socket.onmessage = (event) => {
      if (generation !== this.generation) return;
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame?.type === 'notification' && typeof frame.notification?.id === 'string')
        this.lastNotification = frame.notification.id;
      if (frame && typeof frame.type === 'string') this.emit(frame.type, frame);
    };
    socket.onclose = (event) => {
      clearInterval(this.pinger);
      if (generation !== this.generation) return;
      this.socket = null;
      if (event.code === 1008) {
        // The token died (logout, expiry, revoked grant): reconnecting cannot help.
        this.setStatus('off');
        this.emit('token_dead', { code: 'closed', reason: event.reason });
      } else if (event.code === 1000 && this.ended) {
        this.setStatus('off');
      } else {
        this.retry(generation);
      }
    };
  }

  retry(generation) {
    this.setStatus('offline');
    // Jittered, so that the tabs of a node that went away do not all arrive at the next one at once.
    const base = RETRY_MS[Math.min(this.attempt++, RETRY_MS.length - 1)];
    const delay = base / 2 + Math.random() * base;
    setTimeout(() => {
      if (generation === this.generation) this.connect({ resuming: true });
    }, delay);
  }

  send(frame) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(frame));
  }

  /// Asks for a topic now and after every reconnect; returns a function that stops asking.
  subscribe(topic) {
    this.topics.add(topic);
    this.send({ type: 'subscribe', topic });
    return () => this.topics.delete(topic);
  }

  /// Marks the socket as closing on purpose (the server's 1000 after `session_ended` is then final).
  expectEnd() {
    this.ended = true;
  }

  close() {
    this.generation++;
    this.ended = false;
    clearInterval(this.pinger);
    if (this.socket) {
      this.socket.onclose = null;
      this.socket.close(1000);
      this.socket = null;
    }
    this.setStatus('off');
  }
}

export const live = new Live();
