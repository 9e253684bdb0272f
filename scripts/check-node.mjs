// Fails loudly when a script runs on the wrong Node.js. The `node` devDependency puts Node 24
// first on PATH for every `npm run`; if install scripts were skipped, npm silently falls back to
// the system Node (20 on these machines), which Nuxt 4.5 and fauxqs do not support.
const [major, minor] = process.versions.node.split('.').map(Number)
if (major !== 24 || minor < 11) {
  console.error(`\n✖ Cofre needs Node.js ^24.11 but this is ${process.version} (${process.execPath}).
  Run \`npm ci\` (or \`npm install\`) so the pinned "node" devDependency installs Node 24, and make
  sure install scripts are allowed (package.json "allowScripts"). Then use \`npm run <script>\`.\n`)
  process.exit(1)
}
