// Cofre — Nuxt configuration. Every runtimeConfig key can be overridden at run time with a
// NUXT_* environment variable (e.g. runtimeConfig.s3.bucket ← NUXT_S3_BUCKET); see .env.example.
// Defaults here are the *production* defaults (real AWS, no secrets): the dev and test entry
// points (scripts/dev.mjs, tests/support/harness.ts) supply the embedded fauxqs/MariaDB values.
export default defineNuxtConfig({
  compatibilityDate: '2026-11-01',
  devtools: { enabled: false },
  modules: ['vuetify-nuxt-module', '@nuxtjs/i18n', '@nuxt/eslint'],
  typescript: { strict: true },
  telemetry: false,

  runtimeConfig: {
    databaseUrl: 'mysql://root@127.0.0.1:3306/cofre',
    databasePoolSize: 10,
    jwtSecret: '',
    presignTtlSeconds: 300,
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
    },
    sns: {
      endpoint: '',
      topicArn: '',
    },
    public: {},
  },

  experimental: {
    // nuxt-auth reads `auth` from page meta; Nuxt 4.5 only extracts it when told to (STACK.md #2).
    scanPageMeta: true,
    extraPageMetaExtractionKeys: ['auth'],
  },

  vuetify: {
    moduleOptions: {
      // Vuetify's useLayout collides with Nuxt's auto-import (STACK.md #4).
      prefixComposables: true,
    },
  },

  i18n: {
    locales: [
      { code: 'pt-BR', language: 'pt-BR', name: 'Português (Brasil)', file: 'pt-BR.json' },
      { code: 'en', language: 'en-US', name: 'English', file: 'en.json' },
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

  eslint: {
    config: { stylistic: false },
  },

  nitro: {
    // Keep mysql2/AWS SDK external: they are large and already in node_modules in production.
    externals: { inline: [] },
  },
})
