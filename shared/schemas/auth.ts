import { z } from 'zod'

// Shared by the sign-in/up forms and the API. Messages are i18n keys, translated by the client.
export const email = z.string().trim().toLowerCase().max(254, 'validation.emailTooLong').email('validation.email')
export const password = z.string().min(10, 'validation.passwordMin').max(200, 'validation.passwordMax')

export const registerSchema = z.object({
  email,
  name: z.string().trim().min(1, 'validation.required').max(120, 'validation.tooLong'),
  password,
})

export const loginSchema = z.object({
  email,
  password: z.string().min(1, 'validation.required').max(200, 'validation.passwordMax'),
})

export const refreshSchema = z.object({ refreshToken: z.string().min(20).max(200) })

export type RegisterInput = z.infer<typeof registerSchema>
export type LoginInput = z.infer<typeof loginSchema>

export interface SessionUser { id: number, email: string, name: string }
export interface TokenPair { token: { accessToken: string, refreshToken: string } }
