import { useNuxt } from '@nuxt/kit'
// Cofre — Nuxt configuration. Every runtimeConfig key can be overridden at run time with a
// NUXT_* environment variable (e.g. runtimeConfig.s3.bucket ← NUXT_S3_BUCKET); see .env.example.
// Defaults here are the *production* defaults (real AWS, no secrets): the dev and test entry
// points (scripts/dev.mjs, tests/support/stack.ts) supply the embedded fauxqs/MariaDB values.
// Messages are split by area (one JSON per area and locale) and merged per locale.
const LOCALE_FILES = ['app.json', 'errors.json', 'auth.json', 'ledger.json', 'backups.json', 'vuetify.ts']

export default defineNuxtConfig({
  compatibilityDate: '2026-11-01',
  devtools: { enabled: false },
  modules: ['vuetify-nuxt-module', '@nuxtjs/i18n', '@sidebase/nuxt-auth', 'nuxt-security', '@nuxt/eslint'],
  typescript: { strict: true },
  telemetry: false,

  runtimeConfig: {
    // 'web' (pages and API; enqueues jobs), 'worker' (runs jobs; serves only /api/health) or
    // 'both' (one process does everything: npm run dev, a single-instance deployment).
    role: 'both',
    queue: {
      // The SQS queue of backup/restore jobs (its RedrivePolicy names the dead-letter queue and
      // how many deliveries a job gets) and, for a local emulator, the SQS endpoint.
      url: '',
      endpoint: '',
      // How long POST /api/backup and /api/restore wait for the job before answering 202.
      waitBudgetMs: 10000,
      // A received job stays invisible this long; the running worker extends it every
      // heartbeatSeconds, so only a dead worker's job is delivered again.
      visibilityTimeoutSeconds: 60,
      heartbeatSeconds: 15,
    },
    databaseUrl: 'mysql://root@127.0.0.1:3306/cofre',
    databasePoolSize: 10,
    // Seconds a statement waits for a row lock before failing (InnoDB's default is 50).
    databaseLockWaitTimeoutSeconds: 10,
    // Milliseconds a request waits for a free pool connection before it is answered 503.
    databaseAcquireTimeoutMs: 10000,
    jobs: {
      // Backups and restores running at once in this process; each holds one pool connection at a
      // time, so with the default pool of 10 six stay free for everything else.
      maxConcurrent: 4,
      // Jobs waiting for a free slot, and for how long, before the request is answered 503.
      maxQueued: 32,
      queueWaitSeconds: 20,
      // A queued or running job not heard from (heartbeat) for this long, whose user's job lock
      // is free on every instance, is ended as failed (INTERRUPTED).
      staleAfterSeconds: 600,
    },
    restores: {
      // Restores per user per window (429 + Retry-After beyond it); each takes a safety backup.
      rateLimit: 10,
      rateWindowSeconds: 3600,
    },
    jwtSecret: '',
    presignTtlSeconds: 300,
    backups: {
      // Manual backups per user per window (429 + Retry-After beyond it).
      rateLimit: 10,
      rateWindowSeconds: 3600,
      // Decompression cap for restores: a larger (or bomb) file is refused as too_large.
      maxUncompressedBytes: 2 * 1024 * 1024 * 1024,
      // Backups a user may keep, of every kind (safety backups included): beyond it, creating a
      // backup or restoring (which makes one) answers 409 QUOTA_EXCEEDED until some are deleted.
      maxStoredPerUser: 100,
      // An S3 request that creates a backup's object (a multipart completion, a PutObject) and
      // passed its deadline may still be finished by a slow S3 after the failure's or cancel's
      // cleanup ran: rows ended failed or cancelled are swept again this long after they ended.
      sweepAfterSeconds: 300,
    },
    s3: {
      endpoint: '',
      region: 'us-east-1',
      bucket: '',
      accessKeyId: '',
      secretAccessKey: '',
      forcePathStyle: false,
      // 'AES256' (SSE-S3, default) or 'aws:kms' (then sseKmsKeyId may name the key)
      sse: 'AES256',
      sseKmsKeyId: '',
      requestTimeoutMs: 30000,
      // Multipart part size in MiB (S3 minimum 5); a part or two is all a backup holds in memory.
      partSizeMb: 8,
    },
    sns: {
      endpoint: '',
      topicArn: '',
    },
    public: {},
  },

  features: {
    // Component styles come as the build's CSS files (<link rel="stylesheet">, cached by the
    // browser) instead of being inlined into every page's HTML: the inlined copies were 8–20 kB
    // per page and their head tags a measurable part of each render (issue 16).
    inlineStyles: false,
  },

  experimental: {
    // nuxt-auth reads `auth` from page meta; Nuxt 4.5 only extracts it when told to (without this, protected pages rendered for anonymous visitors).
    scanPageMeta: true,
    extraPageMetaExtractionKeys: ['auth'],
  },

  vuetify: {
    moduleOptions: {
      // Vuetify's useLayout collides with Nuxt's auto-import of its own useLayout.
      prefixComposables: true,
    },
  },

  i18n: {
    locales: [
      { code: 'pt-BR', language: 'pt-BR', name: 'Português (Brasil)', files: LOCALE_FILES.map(f => `pt-BR/${f}`) },
      { code: 'en', language: 'en-US', name: 'English', files: LOCALE_FILES.map(f => `en/${f}`) },
    ],
    defaultLocale: 'pt-BR',
    strategy: 'no_prefix',
    detectBrowserLanguage: {
      useCookie: true,
      cookieKey: 'cofre_locale',
      redirectOn: 'no prefix',
      fallbackLocale: 'pt-BR',
    },
  },

  // JWT sign-in (local provider). Cookie decisions (docs/security.md): the access token cookie is
  // readable by the app's JS because nuxt-auth sets it client-side and sends it as a Bearer header
  // (so it cannot be httpOnly); it lives 15 min, SameSite=Lax, Secure in production builds. The
  // refresh token rotates on every use with reuse detection. Every page requires a session unless
  // it opts out with definePageMeta({ auth: false }).
  auth: {
    baseURL: '/api/auth',
    originEnvKey: 'NUXT_AUTH_ORIGIN',
    // Anonymous visitors are sent to /login?redirect=<page> and brought back after signing in.
    globalAppMiddleware: { isEnabled: true, addDefaultCallbackUrl: true },
    provider: {
      type: 'local',
      endpoints: {
        signIn: { path: '/login', method: 'post' },
        signOut: { path: '/logout', method: 'post' },
        signUp: { path: '/register', method: 'post' },
        getSession: { path: '/session', method: 'get' },
      },
      pages: { login: '/login' },
      token: {
        signInResponseTokenPointer: '/token/accessToken',
        type: 'Bearer',
        cookieName: 'cofre.access',
        headerName: 'Authorization',
        maxAgeInSeconds: 15 * 60,
        sameSiteAttribute: 'lax',
        secureCookieAttribute: process.env.NODE_ENV === 'production',
      },
      refresh: {
        isEnabled: true,
        endpoint: { path: '/refresh', method: 'post' },
        refreshOnlyToken: false,
        token: {
          signInResponseRefreshTokenPointer: '/token/refreshToken',
          refreshResponseTokenPointer: '/token/accessToken',
          refreshRequestTokenPointer: '/refreshToken',
          cookieName: 'cofre.refresh',
          maxAgeInSeconds: 30 * 24 * 3600,
          sameSiteAttribute: 'lax',
          secureCookieAttribute: process.env.NODE_ENV === 'production',
        },
      },
      session: { dataType: { id: 'number', email: 'string', name: 'string' } },
    },
    sessionRefresh: { enablePeriodically: false, enableOnWindowFocus: true },
  },
  hooks: {
    // Vuetify's cascade-layer order, pinned (see assets/css/layers.css). It must come before
    // Vuetify's own styles, which its module puts first in `css`; after them it would be dropped.
    'modules:done'() {
      const nuxt = useNuxt()
      nuxt.options.css.unshift('~/assets/css/layers.css')
    },
    // nuxt-auth's SSR refresh plugin rotates the refresh token on every page view; Cofre's
    // plugins/auth-refresh.server.ts refreshes only when the access token is missing or expiring.
    'app:resolve'(app) {
      app.plugins = app.plugins.filter(p => !(typeof p === 'string' ? p : p.src).includes('plugins/refresh-token.server'))
    },
  },

  // Security headers and a nonce-based CSP (nuxt-security); see docs/security.md for each choice.
  security: {
    nonce: true,
    headers: {
      contentSecurityPolicy: {
        'default-src': ["'self'"],
        'script-src': ["'self'", "'nonce-{{nonce}}'", "'strict-dynamic'"],
        // Vuetify sets inline style attributes and a <style> for themes.
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'none'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        'upgrade-insecure-requests': process.env.NODE_ENV === 'production',
      },
      crossOriginEmbedderPolicy: 'unsafe-none',
      referrerPolicy: 'no-referrer',
      xFrameOptions: 'DENY',
      permissionsPolicy: { camera: [], microphone: [], geolocation: [] },
    },
    // Cofre has its own limits (per account, per IP, per user) backed by MySQL.
    rateLimiter: false,
    // Body size is capped by readBodyWith (server/utils/api.ts) for every method, chunked or not,
    // with Cofre's error codes; this limiter only reads Content-Length and skips PATCH.
    requestSizeLimiter: false,
    xssValidator: false,
    corsHandler: false,
  },

  eslint: {
    config: { stylistic: false },
  },

  // COFRE_BUILD_DIR lets two builds coexist (e.g. a benchmark build beside the test build).
  ...(process.env.COFRE_BUILD_DIR ? { buildDir: `${process.env.COFRE_BUILD_DIR}/.nuxt` } : {}),
  nitro: {
    ...(process.env.COFRE_BUILD_DIR ? { output: { dir: `${process.env.COFRE_BUILD_DIR}/.output` } } : {}),
  },
})
