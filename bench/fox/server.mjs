// fox-wamp router for bench/run.sh: one WAMP WebSocket endpoint on 127.0.0.1 only.
// Usage: node server.mjs PORT   (prints "listening PORT" once the socket is bound)
// Realms are created on demand by fox-wamp; only the wamp.2.json subprotocol is offered.
import FoxRouter from 'fox-wamp'

const port = Number(process.argv[2])
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error('usage: node server.mjs PORT')
  process.exit(2)
}
const router = new FoxRouter()
const server = router.listenWAMP({ host: '127.0.0.1', port, path: '/ws' })
server.on('listening', () => console.log(`listening ${port}`))
server.on('error', (e) => {
  console.error(`fox-wamp: ${e.message}`)
  process.exit(1)
})
process.on('SIGTERM', () => process.exit(0))
process.on('SIGINT', () => process.exit(0))
