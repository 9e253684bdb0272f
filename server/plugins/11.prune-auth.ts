import { pruneExpiredAuthState } from '../services/auth'

/**
 * Refresh tokens long expired and expired sign-in counters are deleted, so neither table grows
 * with every sign-in forever. Safe on several instances: each DELETE only removes dead rows.
 */
export default defineNitroPlugin(() => everyHour('pruned expired refresh tokens and sign-in counters', pruneExpiredAuthState, 5000))
