/** Seconds since start(), ticking while an operation runs (the API reports no finer progress). */
export function useElapsed() {
  const seconds = ref(0)
  let timer: ReturnType<typeof setInterval> | undefined
  function stop() {
    if (timer) clearInterval(timer)
    timer = undefined
  }
  function start() {
    stop()
    const started = Date.now()
    seconds.value = 0
    timer = setInterval(() => { seconds.value = Math.floor((Date.now() - started) / 1000) }, 250)
  }
  onBeforeUnmount(stop)
  return { seconds, start, stop }
}
