import { z } from 'zod'

/**
 * The body of a job message: which job, nothing more. The job's row in MySQL is the one source of
 * truth (its status says whether there is anything left to do), so a message delivered twice, or
 * after the job finished, does nothing.
 */
export const jobMessageSchema = z.object({
  kind: z.enum(['backup', 'restore']),
  id: z.uuid(),
  userId: z.number().int().positive(),
  /** The requester's address, for the audit trail. */
  ip: z.string().nullable().optional().transform(ip => ip?.slice(0, 64) ?? null),
})
export type JobMessage = z.infer<typeof jobMessageSchema>
export type JobKind = JobMessage['kind']
