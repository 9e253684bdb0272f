/**
 * The login form posts here only when the page's JavaScript has not run (not hydrated yet, or
 * disabled): the form has method="post" so its fields never land in a URL, and this answers
 * without reading or logging the body, sending the visitor back to the form with a notice.
 */
export default defineEventHandler((event) => {
  setResponseHeader(event, 'cache-control', 'no-store')
  return sendRedirect(event, '/login?nojs=1', 303)
})
