import * as z from 'zod/mini'

import {InputError} from '../core/errors.js'

type Issue = z.core.$ZodIssue
type Schema = z.core.$ZodType

/** A union's own message is "Invalid input"; the branch that got furthest says what was wrong. */
function messageOf(issue: Issue): string {
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const branches = issue.errors.flat()
    const telling = branches.find((inner) => inner.code !== 'invalid_type') ?? branches[0]
    if (telling) return messageOf(telling)
  }
  return issue.message
}

function valueAt(payload: unknown, path: PropertyKey[]): unknown {
  let value = payload
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined
    value = (value as Record<PropertyKey, unknown>)[key]
  }
  return value
}

/** Validate at the edge; the first problem becomes one line naming the field. */
export function validatePayload<T extends Schema>(schema: T, payload: unknown): z.output<T> {
  const result = z.safeParse(schema, payload)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  if (!issue) throw new InputError("payload is invalid")
  const field = issue.path.length > 0 ? issue.path.join('.') : 'payload'
  const missing = issue.path.length > 0 && valueAt(payload, issue.path) === undefined
  throw new InputError(`field "${field}" ${missing ? 'is required' : messageOf(issue)}`)
}
