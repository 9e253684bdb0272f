import { z } from 'zod'
import { text } from './text'

// Shared by the sign-in/up forms and the API. Messages are i18n keys, translated by the client.
export const email = text().trim().toLowerCase().max(254, 'validation.emailTooLong').email('validation.email')
export const password = text().min(10, 'validation.passwordMin').max(200, 'validation.passwordMax')

export const registerSchema = z.object({
  email,
  name: text().trim().min(1, 'validation.required').max(120, 'validation.tooLong'),
  password,
})

export const loginSchema = z.object({
  email,
  password: text().min(1, 'validation.required').max(200, 'validation.passwordMax'),
})

export const refreshSchema = z.object({ refreshToken: text().min(20).max(200) })

export type RegisterInput = z.infer<typeof registerSchema>
export type LoginInput = z.infer<typeof loginSchema>

export interface SessionUser { id: number, email: string, name: string }
export interface TokenPair { token: { accessToken: string, refreshToken: string } }
