/**
 * Refuses to start a production server with unsafe configuration, naming each problem. In dev the
 * entry point supplies safe local defaults, so this only guards `npm start` / deployments.
 */
export default defineNitroPlugin(() => {
  if (import.meta.dev) return
  const problems = productionConfigProblems(cofreConfig())
  if (problems.length) {
    console.error(`\n✖ Cofre refuses to start: unsafe configuration\n${problems.map(p => `  • ${p}`).join('\n')}\n  See .env.example.\n`)
    process.exit(1)
  }
})
