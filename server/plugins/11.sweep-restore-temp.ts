import { sweepRestoreTempDirs } from '../engine/restore/temp-dir'

/**
 * The plaintext temp folders of restores whose process died (kill -9, OOM) before it could clean
 * up are removed; the rule that keeps other live instances' folders is in temp-dir.ts.
 */
export default defineNitroPlugin(() => everyHour('removed temp folders of interrupted restores', async () => (await sweepRestoreTempDirs()).length, 0))
