import withNuxt from './.nuxt/eslint.config.mjs'

export default withNuxt(
  { ignores: ['.output/**', '.data/**', 'drizzle/**', 'bench/results/**', 'test-results/**', 'playwright-report/**'] },
  // Tests read loosely typed JSON responses.
  { files: ['tests/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
)
