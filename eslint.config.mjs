import stylistic from '@stylistic/eslint-plugin'
import withNuxt from './.nuxt/eslint.config.mjs'

export default withNuxt(
  { ignores: ['.output/**', '.data/**', 'drizzle/**', 'bench/results/**', 'test-results/**', 'playwright-report/**'] },
  // Tests read loosely typed JSON responses.
  { files: ['tests/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  // Style is left to the author, except indentation: a mis-indented line misleads the reader.
  { plugins: { '@stylistic': stylistic }, rules: { '@stylistic/indent': ['error', 2, { SwitchCase: 1 }] } },
  { files: ['**/*.vue'], rules: { 'vue/html-indent': ['error', 2] } },
)
