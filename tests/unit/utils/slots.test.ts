import { describe, expect, it } from 'vitest'
import { Slots } from '../../../server/utils/slots'

describe('Slots', () => {
  it('admits up to the limit at once and queues the rest in arrival order', async () => {
    const slots = new Slots(2, 10, 5000)
    const a = await slots.acquire()
    const b = await slots.acquire()
    expect(a && b).toBeTruthy()
    const order: string[] = []
    const c = slots.acquire().then((r) => { order.push('c'); return r })
    const d = slots.acquire().then((r) => { order.push('d'); return r })
    expect(slots.queued).toBe(2)
    a!()
    const rc = await c
    expect(order).toEqual(['c'])
    b!()
    const rd = await d
    expect(order).toEqual(['c', 'd'])
    expect(slots.running).toBe(2)
    rc!()
    rd!()
    expect(slots.running).toBe(0)
  })

  it('answers null at once when the queue is full, and when a wait runs out', async () => {
    const slots = new Slots(1, 1, 50)
    const held = await slots.acquire()
    const waiting = slots.acquire()
    expect(await slots.acquire()).toBeNull()
    const started = performance.now()
    expect(await waiting).toBeNull()
    expect(performance.now() - started).toBeGreaterThanOrEqual(40)
    expect(slots.queued).toBe(0)
    held!()
    expect(slots.running).toBe(0)
  })

  it('ignores a second release of the same slot', async () => {
    const slots = new Slots(1, 0, 0)
    const release = await slots.acquire()
    release!()
    release!()
    expect(slots.running).toBe(0)
    expect(await slots.acquire()).not.toBeNull()
    expect(await slots.acquire()).toBeNull()
  })
})
