/**
 * Never answers a client that has already gone. Nitro's graceful-shutdown helper listens for
 * every response's `finish` and sets `req.socket._isIdle`; when the client aborted its request
 * (for instance mid-way through an oversized body) Node still emits `finish` for a response
 * written afterwards, with `req.socket` already null, and the helper throws an uncaught
 * TypeError. Marking the event handled before h3 writes makes it skip the write (success and
 * error paths both pass through `beforeResponse`), so there is no `finish` to trip on.
 */
export default defineNitroPlugin((nitroApp) => {
  nitroApp.hooks.hook('beforeResponse', (event) => {
    const { req, res } = event.node
    if (!res.headersSent && (!req.socket || req.socket.destroyed || res.destroyed)) event._handled = true
  })
})
