/**
 * Asks the browser for its colour scheme on page requests (client hint
 * Sec-CH-Prefers-Color-Scheme): Accept-CH for later requests, Critical-CH so that Chromium
 * retries the very first request with the hint before rendering anything. The page then renders
 * in the visitor's theme from the first byte (useThemePreference reads the hint). Browsers without
 * client hints get a tiny pre-paint check instead (see useThemePreference).
 */
const HINT = 'Sec-CH-Prefers-Color-Scheme'

export default defineNitroPlugin((nitroApp) => {
  nitroApp.hooks.hook('render:response', (response) => {
    response.headers = { ...response.headers, 'accept-ch': HINT, 'critical-ch': HINT, 'vary': response.headers?.vary ? `${response.headers.vary}, ${HINT}` : HINT }
  })
})
