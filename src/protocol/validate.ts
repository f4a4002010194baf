import type {z} from 'zod'

import {InputError} from '../core/errors.js'

/** Validate at the edge; the first problem becomes one line naming the field. */
export function validatePayload<T extends z.ZodType>(schema: T, payload: unknown, command: string): z.output<T> {
  const result = schema.safeParse(payload)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  const field = issue?.path.length ? issue.path.join('.') : 'payload'
  const message = issue?.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue?.message ?? 'is invalid'
  throw new InputError(`${command}: field "${field}" ${message}`)
}
