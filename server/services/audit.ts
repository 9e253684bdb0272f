import { auditLog } from '../db/schema'

export interface AuditInput {
  userId: number
  action: string
  targetId?: string | null
  outcome?: 'success' | 'failure'
  detail?: Record<string, unknown>
  ip?: string | null
}

/**
 * Appends to the audit trail (who did what, when). An audit write that fails is logged and does
 * not fail the user's request: the action itself already happened.
 */
export async function audit(entry: AuditInput) {
  try {
    await useDb().insert(auditLog).values({ ...entry, outcome: entry.outcome ?? 'success' })
  }
  catch (err) {
    logger.error({ err: serializeError(err), action: entry.action, userId: entry.userId }, 'audit write failed')
  }
}

/**
 * The audit entry as a statement, for an outcome recorded inside its own transaction (a
 * completed restore): there the entry is part of what commits, so a failing insert rolls the
 * restore back with it, unlike audit() above. The restore rate limit counts these entries.
 */
export function auditStatement(entry: AuditInput) {
  const { sql, params } = useDb().insert(auditLog).values({ ...entry, outcome: entry.outcome ?? 'success' }).toSQL()
  return { sql, values: params }
}
